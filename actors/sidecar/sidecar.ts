import { Pool } from 'undici';
import { createActor, type ActorRefFrom } from 'xstate';
import { createSidecarHttpClient } from '../../adapters/sidecar/http-client.js';
import type { ServiceNodeBody, SidecarClient } from '../../adapters/sidecar/types.js';
import { silentLogger } from '../../adapters/logger.js';
import { describeError, isStatewireError, StatewireError } from '../../errors/base.js';
import { AgentRunError, LifecycleRunError, SidecarStoppedError, WatchStaleError, type AgentRunStage } from '../../errors/sidecar.js';
import type { SidecarMachine } from '../../machines/sidecar/sidecar.js';
import type { SidecarErrorInfo } from '../../machines/sidecar/options.js';
import { sidecarStatus, type SidecarStatus } from '../../machines/sidecar/status.js';
import type { Facade, HostEnv } from '../host.js';
import { resolveSidecarConfig, type SidecarAgentConfig } from './config.js';
import { provideSidecar, type ErrorMemory } from './logic.js';
import { buildDeregisterRequest, buildDrainRequest, buildServiceNode, type ServiceOptions } from './node.js';
import { hostActorOptions } from '../host.js';

export { defaultSidecarAgentConfig, type SidecarAgentConfig } from './config.js';
export { buildDns, methodsFromGrpcServices, type GrpcServiceLike, type ServiceOptions } from './node.js';

/**
 * `createSidecarAgent`: a service process next to its sidecar-agent (the seed's `agent.New` +
 * `Agent`). `start()` watches and replays register on every reconnect; `run()` is the whole life:
 * wait until ready and registered → serve → shutdown → drain → grace → deregister.
 */
export interface SidecarAgent extends Facade {
  readonly actor: ActorRefFrom<SidecarMachine>;
  /** The register body, built once: every replay sends exactly this node. */
  readonly node: ServiceNodeBody;
  /** The raw agent client (the seed's ApiClient), for one-off calls. */
  readonly client: SidecarClient;
  /** Starts the watch and the register replay (no serve). Idempotent; a no-op after `stop()`. */
  start(): void;
  /**
   * Runs every stage and resolves when the agent is deregistered. Aborting `signal` (wire it to
   * SIGTERM) starts the shutdown. Rejects with `AgentRunError` (its `stage` says where) after still
   * draining and deregistering; with `SidecarStoppedError` once `stop()` was called.
   */
  run(signal?: AbortSignal): Promise<void>;
  /** The seed's Shutdown: host shutdown (if serving), drain, grace, deregister. Rejects with `AgentRunError` if a stage failed. */
  shutdown(): Promise<void>;
  /** The facade's drain (what the runtime calls on stop): `shutdown()`, never rejecting; failures stay in status. */
  drain(): Promise<void>;
  /** The seed's Deregister: one deregister request, outside the chart. */
  deregister(signal?: AbortSignal): Promise<void>;
  /** Shuts down (if started), stops the actor and closes the HTTP pools. Idempotent. */
  stop(): Promise<void>;
  status(): SidecarStatus;
  counters(): Record<string, number>;
}

export type CreateSidecarAgentOptions = Partial<SidecarAgentConfig> & Partial<HostEnv>;

export function createSidecarAgent(serviceOptions: ServiceOptions, options: CreateSidecarAgentOptions = {}): SidecarAgent {
  const config = resolveSidecarConfig(serviceOptions, options);
  const logger = options.logger ?? silentLogger;
  // One keep-alive pool per origin, shared by the watch and the calls, so a replay reuses a warm connection.
  const baseOrigin = new URL(config.baseUrl).origin;
  const watchOrigin = new URL(config.watchUrl).origin;
  const basePool = new Pool(baseOrigin, { connect: { timeout: config.requestTimeoutMs } });
  const watchPool = watchOrigin === baseOrigin ? basePool : new Pool(watchOrigin, { connect: { timeout: config.requestTimeoutMs } });
  const pools = watchPool === basePool ? [basePool] : [basePool, watchPool];
  const client = createSidecarHttpClient({ baseUrl: config.baseUrl, paths: config.paths, requestTimeoutMs: config.requestTimeoutMs, dispatcher: basePool });
  const node = buildServiceNode(serviceOptions, config.rawServices ? { services: config.rawServices } : {});
  const memory: ErrorMemory = new Map();

  const logic = provideSidecar(
    {
      client,
      watchUrl: config.watchUrl,
      dispatcher: watchPool,
      connectTimeoutMs: config.requestTimeoutMs,
      node,
      drainRequest: buildDrainRequest(serviceOptions, config.gracePeriodText),
      deregisterRequest: buildDeregisterRequest(serviceOptions),
      serve: config.serve ?? waitForAbort,
      shutdown: config.shutdown ?? (() => undefined),
    },
    memory,
  );
  const actor = createActor(logic, {
    id: options.id ?? 'sidecar',
    ...hostActorOptions({ inspect: options.inspect, clock: options.clock }),
    input: {
      serviceName: serviceOptions.service.name,
      servicePort: serviceOptions.serverPort,
      reconnectIntervalMs: config.reconnectIntervalMs,
      reconnectMaxMs: config.reconnectMaxMs,
      staleAfterMs: config.staleAfterMs,
      readyWaitMs: config.readyWaitMs,
      registerRetryInitialMs: config.registerRetryInitialMs,
      registerRetryMaxMs: config.registerRetryMaxMs,
      gracePeriodMs: config.gracePeriodMs,
      ...(config.seed !== undefined ? { seed: config.seed } : {}),
    },
  });

  /** The typed error behind a recorded one: the real instance when the I/O layer kept it. */
  const typedError = (error: SidecarErrorInfo): StatewireError => {
    const kept = memory.get(error.kind);
    switch (error.kind) {
      case 'watch_stale':
        return new WatchStaleError(config.staleAfterMs);
      case 'lifecycle':
        return new AgentRunError('lifecycle', new LifecycleRunError(config.readyWaitMs, error.message));
      case 'serve':
      case 'shutdown':
      case 'agent_shutdown':
        return new AgentRunError(error.kind, kept ?? new StatewireError(error.code, error.message));
      default:
        return isStatewireError(kept) ? kept : new StatewireError(error.code, error.message, { kind: error.kind });
    }
  };

  // An observer with an `error` callback on the root, always: without one XState rethrows and the process exits.
  let settle: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (settle = resolve));
  actor.subscribe({
    next: (snapshot) => {
      if (snapshot.status !== 'active') settle();
    },
    error: (error) => {
      logger.error('sidecar actor failed', describeError(error));
      settle();
    },
    complete: () => settle(),
  });
  actor.on('sidecar.error', ({ error }) => {
    logger.warn('sidecar error', { ...error });
    try {
      config.onError?.(typedError(error));
    } catch (hostError) {
      logger.error('sidecar onError handler threw', describeError(hostError));
    }
  });
  actor.on('sidecar.stage', ({ stage }) => logger.info('sidecar stage', { stage }));

  let started = false;
  /** stop() was called: the actor never starts (again). XState restarts a stopped actor on `start()`,
   * which ran the chart against closed pools, reconnecting forever past stop(). */
  let closed = false;
  let stopping: Promise<void> | undefined;
  const start = () => {
    if (started || closed) return;
    started = true;
    actor.start();
  };
  const runError = (): AgentRunError | undefined => {
    const snapshot = actor.getSnapshot();
    // A chart that errored (a defect, not a stage failure) stopped where it was: whatever it had
    // not done yet (drain, deregister) was not done, so the run failed in the stage it was in.
    if (snapshot.status === 'error') return new AgentRunError(crashStage(sidecarStatus(snapshot).stage), snapshot.error);
    const failure = snapshot.context.runError;
    if (!failure) return undefined;
    if (failure.stage === 'lifecycle') return new AgentRunError('lifecycle', new LifecycleRunError(config.readyWaitMs, failure.message));
    // The chart reports the stage's first failure; the kept instance may be a later one (a drain
    // that failed, then a deregister that failed too): hand it over only when it is that failure.
    const kept = memory.get(failure.stage);
    const cause = kept instanceof Error && kept.message === failure.message ? kept : new StatewireError(failure.code, failure.message);
    return new AgentRunError(failure.stage as AgentRunStage, cause);
  };
  const shutdown = async () => {
    start();
    if (!started) return; // stopped before it ever started: nothing registered, nothing to undo
    actor.send({ type: 'agent.shutdown' });
    await finished;
    const error = runError();
    if (error?.stage === 'agent_shutdown' || actor.getSnapshot().status === 'error') throw error;
  };

  return {
    actor,
    node,
    client,
    start,
    async run(signal?: AbortSignal) {
      if (closed) throw new SidecarStoppedError();
      start();
      const onAbort = () => actor.send({ type: 'agent.shutdown' });
      actor.send({ type: 'agent.run' });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await finished;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const error = runError();
      if (error) throw error;
    },
    shutdown,
    drain: () => shutdown().catch(() => undefined),
    deregister: (signal?: AbortSignal) => client.deregister(buildDeregisterRequest(serviceOptions), signal),
    stop() {
      stopping ??= (async () => {
        closed = true;
        if (started) await shutdown().catch(() => undefined);
        actor.stop();
        settle(); // an actor stopped before it started tells no observer
        await Promise.all(pools.map((pool) => closeWithin(pool, config.requestTimeoutMs)));
      })();
      return stopping;
    },
    status: () => sidecarStatus(actor.getSnapshot()),
    counters() {
      const c = actor.getSnapshot().context;
      return {
        sidecar_connected: c.connected ? 1 : 0,
        sidecar_registered: c.registered ? 1 : 0,
        sidecar_register_replays_total: c.counts.registerReplays,
        sidecar_register_replay_failures_total: c.counts.registerReplayFailures,
        sidecar_disconnects_total: c.counts.disconnects,
        sidecar_watch_errors_total: c.counts.watchErrors,
        sidecar_invalid_events_total: c.counts.invalidEvents,
      };
    },
  };
}

/** The run stage a chart that errored was in (before `run()`: lifecycle; after the end: agent_shutdown). */
function crashStage(stage: string): AgentRunStage {
  if (stage === 'serve' || stage === 'shutdown' || stage === 'agent_shutdown') return stage;
  return stage === 'stopped' ? 'agent_shutdown' : 'lifecycle';
}

/**
 * Closes a pool, waiting at most `ms` for the requests still in flight, then cuts them. A graceful
 * close alone waits for every request to end: a chart that errored never stops its watch stream
 * (stop() hung forever on it), and an answer the agent trickles never ends either.
 */
async function closeWithin(pool: Pool, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    pool.close().then(() => false, () => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms))),
  ]);
  clearTimeout(timer);
  if (late) await pool.destroy().catch(() => undefined);
}

/** The default `serve`: nothing to run but the watch; ends when the run shuts down. */
function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
