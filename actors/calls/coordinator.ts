import { createActor, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { coordinatorMachine, breakerChildId } from '../../machines/calls/coordinator.js';
import { registryMachine, type InstanceDescriptor, type InstanceRecord, type RegistryInput } from '../../machines/calls/registry.js';
import type { BreakerStateName } from '../../machines/calls/breaker.js';
import type { HttpAgentClientOptions } from '../../adapters/calls/http-client.js';
import type { AgentInput, AgentOutput } from '../../adapters/calls/types.js';
import { silentLogger } from '../../adapters/logger.js';
import { CallsStoppedError } from '../../errors/calls.js';
import { describeError } from '../../errors/base.js';
import { createAgentClient, type AgentClientBreakerOptions, type BreakingAgentClient } from './agent-client.js';
import { checkAgentBreakerOptions } from './breaker-options.js';
import { countsAsFailure } from './failure-policy.js';
import { BreakerHandle, resumableBreakerSnapshot, type Breaker, type BreakerRef } from './breaker.js';
import { CallRunner, type AgentTask, type CallCounters, type AgentTaskResult, type RetryOptions } from './call-runner.js';
import { healthCheckActor, RegistryHandle, type RegistryRef, type RegistryStatistics } from './registry.js';
import type { Facade, HostEnv } from '../host.js';
import { rearmDelays } from '../../machines/xstate-internals.js';
import { hostActorOptions } from '../host.js';

export type { AgentTask, AgentTaskResult, RetryOptions } from './call-runner.js';
export type CoordinatorRef = ActorRefFrom<typeof coordinatorMachine>;

export interface CoordinatorOptions extends Partial<HostEnv> {
  /** Registry settings: heartbeat TTL (default 30 s) and health check period (default 10 s). */
  registry?: RegistryInput;
  /** Instances registered at start. */
  instances?: InstanceDescriptor[];
  /** Every endpoint's breaker: maxFailures (5), timeoutMs (60 s), halfOpenMaxProbes (1), callTimeoutMs, sampling, isFailure (network/timeout/5xx), onStateChange. */
  breaker?: AgentClientBreakerOptions;
  /** Agent client: requestTimeoutMs (30 s), connections per endpoint (32), wait defaults. */
  client?: Omit<HttpAgentClientOptions, 'guardFor'>;
  /** Timeout of one health check ping. Default 2000 ms. */
  healthCheckTimeoutMs?: number;
  /** In-flight cap of executeParallel. Seed default 100. */
  maxConcurrency?: number;
  /** Backoff of executeAgentWithRetry. Seed: 1 s, 2 s, 4 s…; defaults in RETRY_DEFAULTS. */
  retry?: RetryOptions;
  /** Random source of the retry jitter, [0, 1). Default Math.random. */
  random?: () => number;
  /** A persisted snapshot of the coordinator to resume from (registry and breakers included). */
  snapshot?: unknown;
}

export interface CoordinatorStatus {
  state: string;
  registry: RegistryStatistics;
  breakers: Record<string, BreakerStateName>;
  calls: CallRunner['counts'];
}

export interface Coordinator extends Facade {
  readonly actor: CoordinatorRef;
  /** The seed's Registry API (register, heartbeat, getHealthyInstances, statistics, ...). */
  readonly registry: RegistryHandle;
  /** The agent client the coordinator calls through (one breaker per endpoint). */
  readonly client: BreakingAgentClient;
  breaker(endpoint: string): Breaker | undefined;
  executeAgent(service: string, agent: string, input: AgentInput): Promise<AgentOutput>;
  executeAgentWithRetry(service: string, agent: string, input: AgentInput, maxRetries?: number): Promise<AgentOutput>;
  executeParallel(tasks: readonly AgentTask[], maxConcurrency?: number): Promise<AgentTaskResult[]>;
  executeSequential(tasks: readonly AgentTask[]): Promise<AgentTaskResult[]>;
  drain(): Promise<void>;
  status(): CoordinatorStatus;
  counters(): CallCounters & { instances: number; instances_healthy: number; breakers_open: number };
}

/**
 * The coordinator: a registry of instances with health, one breaker per endpoint and an agent
 * client, hosted as one actor tree, behind the seed's Coordinator API.
 */
export function createCoordinator(options: CoordinatorOptions = {}): Coordinator {
  const logger = options.logger ?? silentLogger;
  const breakerPolicy = options.breaker ?? {};
  // Checked before the tree starts: a bad value would otherwise fail the first breaker child's spawn.
  checkAgentBreakerOptions(breakerPolicy);
  const { isFailure, onStateChange, ...breakerSettings } = breakerPolicy;
  // The client's pings (the health check) bypass the breakers, so it can serve the registry too.
  let client!: BreakingAgentClient;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2000;
  const machine = coordinatorMachine.provide({
    actors: { registry: registryMachine.provide({ actors: { checkHealth: healthCheckActor((endpoint) => client.ping(endpoint, healthCheckTimeoutMs)) } }) },
  });
  const actor = createActor(machine, {
    input: { registry: options.registry ?? {}, breaker: breakerSettings },
    ...(options.snapshot ? { snapshot: withResumableBreakers(options.snapshot) as SnapshotFrom<typeof coordinatorMachine> } : {}),
    ...hostActorOptions({ inspect: options.inspect, clock: options.clock, id: options.id }),
  });
  actor.subscribe({ error: (error) => logger.error('coordinator actor failed', describeError(error)) });

  const handles = new Map<string, BreakerHandle>();
  const child = (id: string): unknown => (actor.getSnapshot().children as Record<string, unknown>)[id];
  const breakerFor = (endpoint: string): Breaker => {
    actor.send({ type: 'breaker.add', endpoint });
    const ref = child(breakerChildId(endpoint)) as BreakerRef | undefined;
    if (!ref) throw new CallsStoppedError('coordinator');
    // Network errors, timeouts and 5xx count (not 4xx): the agent call's policy, which failover shares.
    const handle = new BreakerHandle(ref, {
      isFailure: isFailure ?? countsAsFailure,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(onStateChange ? { onStateChange: (from: BreakerStateName, to: BreakerStateName) => onStateChange(endpoint, from, to) } : {}),
    });
    handles.set(endpoint, handle);
    return handle;
  };
  client = createAgentClient({ ...options.client, breakerFor });

  let stopped = false;
  /** Whether new calls (and retries) are taken: not once drain or stop began. */
  const taking = () => {
    const snapshot = actor.getSnapshot();
    return !stopped && snapshot.status === 'active' && snapshot.hasTag('ready');
  };
  const pendingSleeps = new Set<{ cancel(): void }>();
  const clock = options.clock;
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      // A retry backoff that starts once drain or stop began would outlive them: refuse it now.
      if (!taking()) return reject(new CallsStoppedError('coordinator'));
      const entry = {
        cancel: () => {
          (clock ?? globalThis).clearTimeout(timer as never);
          reject(new CallsStoppedError('coordinator'));
        },
      };
      const timer = (clock ?? globalThis).setTimeout(() => {
        pendingSleeps.delete(entry);
        resolve();
      }, ms);
      pendingSleeps.add(entry);
    });

  let registry!: RegistryHandle;
  const runner = new CallRunner({
    get registry() {
      return registry;
    },
    client,
    retry: options.retry ?? {},
    maxConcurrency: options.maxConcurrency ?? 100,
    random: options.random ?? Math.random,
    sleep,
    admit: () => {
      // A stopped actor keeps its last snapshot (still tagged ready): `stopped` and the status say it.
      if (!taking()) throw new CallsStoppedError('coordinator');
    },
  });

  /**
   * Endpoints with a breaker but no registered instance (deregistered, or expired and removed) lose
   * their breaker child, handle and connection pool at the next registry change, so instances that
   * come and go leave nothing behind. Swept against every breaker, not only the departed instance's:
   * a late failover can call an endpoint just after it left, and a restored tree can hold breakers
   * of endpoints that left before the snapshot. The coordinator's client is for registered endpoints.
   */
  const releaseDeparted = (registryRef: RegistryRef) => {
    let seen: Record<string, InstanceRecord> | undefined;
    const sweep = (instances: Record<string, InstanceRecord>) => {
      if (instances === seen) return;
      seen = instances;
      const registered = new Set(Object.values(instances).map((record) => record.endpoint));
      for (const endpoint of new Set([...actor.getSnapshot().context.endpoints, ...handles.keys()])) {
        if (registered.has(endpoint)) continue;
        handles.get(endpoint)?.dispose();
        handles.delete(endpoint);
        actor.send({ type: 'breaker.remove', endpoint });
        void client.release(endpoint);
      }
    };
    sweep(registryRef.getSnapshot().context.instances);
    registryRef.subscribe({
      next: ({ context }) => sweep(context.instances),
      error: () => undefined, // the root's own error observer reports it
    });
  };

  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    actor.start();
    const registryRef = child('registry') as RegistryRef;
    registry = new RegistryHandle(registryRef);
    releaseDeparted(registryRef);
    // XState keeps no timers in a snapshot: once on the root re-arms the registry child's expiry and
    // health check and every open breaker child's halfOpen deadline (rearmDelays recurses).
    if (options.snapshot) rearmDelays(actor);
    for (const instance of options.instances ?? []) registry.register(instance);
  };
  start();

  const breakerStates = () => Object.fromEntries([...handles].map(([endpoint, handle]) => [endpoint, handle.state]));
  return {
    actor,
    get registry() {
      return registry;
    },
    client,
    breaker: (endpoint) => handles.get(endpoint),
    start,
    executeAgent: (service, agent, input) => runner.executeAgent(service, agent, input),
    executeAgentWithRetry: (service, agent, input, maxRetries) => runner.executeAgentWithRetry(service, agent, input, maxRetries),
    executeParallel: (tasks, maxConcurrency) => runner.executeParallel(tasks, maxConcurrency),
    executeSequential: (tasks) => runner.executeSequential(tasks),
    async drain() {
      if (actor.getSnapshot().status !== 'active') return;
      actor.send({ type: 'coordinator.drain' });
      for (const entry of pendingSleeps) entry.cancel();
      pendingSleeps.clear();
      // Bounded by the client's request timeout: every in-flight call settles within it.
      while (runner.counts.in_flight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      actor.send({ type: 'coordinator.drained' });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const entry of pendingSleeps) entry.cancel();
      pendingSleeps.clear();
      for (const handle of handles.values()) handle.dispose();
      actor.stop();
      await client.close();
    },
    status: () => ({ state: String(actor.getSnapshot().value), registry: registry.statistics(), breakers: breakerStates(), calls: { ...runner.counts } }),
    counters() {
      const stats = registry.statistics();
      const states = Object.values(breakerStates());
      return {
        ...runner.counts,
        instances: stats.instances,
        instances_healthy: stats.healthy,
        breakers_open: states.filter((state) => state === 'open' || state === 'isolated').length,
      };
    },
  };
}

/** A persisted coordinator snapshot whose breaker children are fit to resume (resumableBreakerSnapshot). */
function withResumableBreakers(snapshot: unknown): unknown {
  const children = (snapshot as { children?: Record<string, { src?: unknown; snapshot?: unknown }> } | null)?.children;
  if (!children) return snapshot;
  const fresh = Object.fromEntries(
    Object.entries(children).map(([id, entry]) => [id, entry?.src === 'breaker' ? { ...entry, snapshot: resumableBreakerSnapshot(entry.snapshot) } : entry]),
  );
  return { ...(snapshot as object), children: fresh };
}
