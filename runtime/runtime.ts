import { DuplicateActorIdError, RuntimeStoppedError } from '../errors/runtime.js';
import { toLogger } from '../adapters/logger.js';
import { Hosted, type HostContext } from './hosted.js';
import { wallClock } from './wall-clock.js';
import { defaultRestartPolicy } from './restart-policy.js';
import { metricFamilies, renderMetrics, type MetricFamily } from './metrics.js';
import { checkRuntimeOptions, checkSpawn, DEFAULT_KEEP_STOPPED, stopDeadlineMs } from './options.js';
import { serveStatus, type StatusServer, type StatusServerOptions } from './status-server.js';
import { StoppedHistory } from './stopped-history.js';
import type { AnyActorLogic } from 'xstate';
import type { Facade, HostEnv } from '../actors/host.js';
import type { ActorStatus, HostedActor, HostedFacade, RuntimeEvents, RuntimeOptions, Spawnable, SpawnInput, SpawnOptions, StopOptions, StopReport } from './types.js';

export interface Runtime {
  /** Hosts XState logic (a machine, a promise, …), restarting it under its policy. */
  spawn<TLogic extends AnyActorLogic>(logic: TLogic, options: SpawnOptions<SpawnInput<TLogic>>): HostedActor<TLogic>;
  /** Hosts a facade from its factory (`env => createLink({ ...options, ...env })`); a restart calls it again. */
  spawn<TFacade extends Facade>(factory: (env: HostEnv) => TFacade, options: SpawnOptions): HostedFacade<TFacade>;
  /** A live actor (not stopped) by id. */
  get(id: string): HostedActor | undefined;
  /** Every live hosted actor (running, restarting, failed or done; not stopped), in spawn order. */
  list(): HostedActor[];
  /** The status of every live hosted actor: O(live actors), however many were stopped. */
  status(): ActorStatus[];
  /**
   * The final status of the last `keepStopped` (default 100) stopped actors, oldest first: a stopped
   * actor leaves the registry, and this is all the runtime keeps of it.
   */
  stopped(): ActorStatus[];
  /** True when the runtime is not stopping and every live actor is running with the `ready` tag. */
  isReady(): boolean;
  /**
   * Every hosted logic's persisted snapshot, by id (for `spawn(…, { snapshot })` later); facades
   * persist themselves, and an actor in error (failed, or waiting for its restart) is left out.
   */
  snapshot(): Record<string, unknown>;
  /** Prometheus text exposition of actors, restarts, errors and the actors' counters. */
  metrics(): string;
  /** The same series as data (for `registerRuntimeMetrics`, which puts them into a prom-client registry). */
  metricFamilies(): MetricFamily[];
  /** Serves /healthz, /readyz, /status and /metrics on loopback (node:http). Rejects with ConfigError for a bad port or host. */
  serveStatus(options?: StatusServerOptions): Promise<StatusServer>;
  on<K extends keyof RuntimeEvents>(type: K, listener: (event: RuntimeEvents[K]) => void): () => void;
  /**
   * Drains and stops every actor in reverse spawn order, all within `deadlineMs` (default 10 000);
   * an actor whose hard stop hangs is left behind a second after the deadline (reported `cut`).
   * Calling it again returns the first call's report. Each actor leaves the registry as it stops.
   */
  stop(options?: StopOptions): Promise<StopReport>;
}


export function createRuntime(options: RuntimeOptions = {}): Runtime {
  checkRuntimeOptions(options);
  const policy = options.restart ?? defaultRestartPolicy;
  const clock = options.clock ?? wallClock;
  const now = () => (clock as { now?: () => number }).now?.() ?? Date.now();
  const logger = toLogger(options.logger);
  const keepStopped = options.keepStopped ?? DEFAULT_KEEP_STOPPED;
  /** The live actors: a stopped one is deleted (see `stopped`), so every walk is O(live). */
  const hosted = new Map<string, Hosted>();
  const history = new StoppedHistory(keepStopped);
  const listeners = new Map<keyof RuntimeEvents, Set<(event: never) => void>>();
  const servers = new Set<StatusServer>();
  let stopping: Promise<StopReport> | undefined;

  const emit = <K extends keyof RuntimeEvents>(type: K, payload: RuntimeEvents[K]) => {
    const set = listeners.get(type);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (event: RuntimeEvents[K]) => void)(payload);
      } catch (error) {
        logger.warn('runtime listener threw', { type, error: String(error) });
      }
    }
  };
  // Only defined keys: facades and XState spread these over their defaults.
  const env = { logger, ...(options.inspect ? { inspect: options.inspect } : {}), ...(options.clock ? { clock: options.clock } : {}) };
  const host: HostContext = {
    env,
    clock,
    now,
    policy,
    emit,
    listens: (type) => (listeners.get(type)?.size ?? 0) > 0,
    stopped(entry, outcome) {
      if (hosted.get(entry.id) === entry) hosted.delete(entry.id);
      // Its final status, for the history and the event; nothing else of it stays.
      if (keepStopped === 0 && !host.listens('actor.stopped')) return;
      const status = entry.status();
      history.add(status);
      emit('actor.stopped', { id: entry.id, outcome, status });
    },
  };

  const runtime: Runtime = {
    spawn(spawnable: Spawnable, spawnOptions: SpawnOptions): HostedFacade<any> {
      checkSpawn(spawnable, spawnOptions);
      const { id } = spawnOptions;
      if (stopping) throw new RuntimeStoppedError(id);
      if (hosted.has(id)) throw new DuplicateActorIdError(id);
      const entry = new Hosted(spawnable, spawnOptions, host);
      hosted.set(id, entry);
      entry.start();
      return entry as HostedFacade<any>;
    },
    get: (id) => hosted.get(id),
    list: () => [...hosted.values()],
    status: () => [...hosted.values()].map((entry) => entry.status()),
    stopped: () => history.list(),
    // A stopping runtime is not ready, also once its last actor has left the registry.
    isReady: () => !stopping && [...hosted.values()].every((entry) => entry.status().ready),
    snapshot() {
      const out: Record<string, unknown> = {};
      for (const entry of hosted.values()) {
        if (entry.kind === 'facade') continue;
        try {
          const snapshot = entry.ref.getPersistedSnapshot() as { status?: string };
          // An errored incarnation (failed, or waiting for its restart) restored would only fail again.
          if (snapshot?.status === 'error') continue;
          out[entry.id] = snapshot;
        } catch (error) {
          // One actor that cannot persist must not cost the others their snapshots.
          logger.warn('getPersistedSnapshot() threw: actor left out of the snapshot', { id: entry.id, error: String(error) });
        }
      }
      return out;
    },
    metrics: () => renderMetrics(metricSources()),
    metricFamilies: () => metricFamilies(metricSources()),
    async serveStatus(serverOptions) {
      if (stopping) throw new RuntimeStoppedError('', 'serve the status endpoint');
      const server = await serveStatus(runtime, serverOptions);
      if (stopping) {
        // stop() began while it was binding: it has already closed the servers it knew of.
        await server.close();
        throw new RuntimeStoppedError('', 'serve the status endpoint');
      }
      servers.add(server);
      return server;
    },
    on(type, listener) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      set.add(listener as (event: never) => void);
      return () => set.delete(listener as (event: never) => void);
    },
    stop(stopOptions) {
      let deadlineMs: number;
      try {
        deadlineMs = stopDeadlineMs('runtime.stop', stopOptions);
      } catch (error) {
        return Promise.reject(error);
      }
      // Idempotent: a second call (SIGINT then SIGTERM) waits for the first and gets its report.
      stopping ??= (async () => {
        // Real time, even under a SimulatedClock: a stop must end without anyone advancing a clock.
        const deadline = Date.now() + deadlineMs;
        const report: StopReport = { drained: [], cut: [], stopped: [] };
        for (const entry of [...hosted.values()].reverse()) {
          const outcome = await entry.stopBy(deadline);
          report[outcome].push(entry.id);
        }
        await Promise.all([...servers].map((server) => server.close()));
        servers.clear();
        return report;
      })();
      return stopping;
    },
  };
  return runtime;

  function metricSources() {
    return [...hosted.values()].map((entry) => ({ status: entry.status(), counters: safeCounters(entry) }));
  }

  function safeCounters(entry: Hosted): Record<string, number> {
    try {
      return entry.counters();
    } catch (error) {
      logger.warn('counters() threw', { id: entry.id, error: String(error) });
      return {};
    }
  }
}
