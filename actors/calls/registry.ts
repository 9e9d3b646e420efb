import { createActor, fromPromise, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { registryMachine, instanceProblem, type HealthResult, type InstanceDescriptor, type InstanceRecord, type RegistryInput } from '../../machines/calls/registry.js';
import { InstanceNotFoundError } from '../../errors/calls.js';
import { describeError } from '../../errors/base.js';
import { createHttpAgentClient } from '../../adapters/calls/http-client.js';
import { silentLogger } from '../../adapters/logger.js';
import type { Facade, HostEnv } from '../host.js';
import { rearmDelays } from '../../machines/xstate-internals.js';
import { hostActorOptions } from '../host.js';

export type RegistryRef = ActorRefFrom<typeof registryMachine>;
export type RegistrySnapshot = SnapshotFrom<typeof registryMachine>;
export type { InstanceDescriptor, InstanceRecord } from '../../machines/calls/registry.js';

export interface RegistryStatistics {
  services: number;
  instances: number;
  healthy: number;
  unhealthy: number;
  expired: number;
  byService: Record<string, { total: number; healthy: number }>;
  /** Bad input dropped by the chart, health checks run, checks that failed as a whole, expirations, expired instances removed. */
  rejected: number;
  checks: number;
  checkErrors: number;
  expirations: number;
  purged: number;
}

/** The seed's Registry API over a running registry actor (a root, or the coordinator's child). */
export class RegistryHandle {
  readonly #ref: RegistryRef;
  /** Healthy instances per `service\0agent`, rebuilt when the instances object changes (immer keeps it otherwise). */
  #healthy = new Map<string, readonly InstanceRecord[]>();
  #indexed: Record<string, InstanceRecord> | undefined;

  constructor(ref: RegistryRef) {
    this.#ref = ref;
  }

  get ref(): RegistryRef {
    return this.#ref;
  }

  #instances(): Record<string, InstanceRecord> {
    return this.#ref.getSnapshot().context.instances;
  }

  /** Registers (or refreshes) an instance. Throws InvalidInstanceError or DuplicateInstanceError on bad input. */
  register(instance: InstanceDescriptor): void {
    const problem = instanceProblem(this.#instances(), instance);
    if (problem) throw problem;
    this.#ref.send({ type: 'instance.register', instance });
  }

  deregister(id: string): void {
    this.#known(id);
    this.#ref.send({ type: 'instance.deregister', id });
  }

  /** A sign of life: pushes the instance's expiry out by the TTL and revives an expired one. */
  heartbeat(id: string): void {
    this.#known(id);
    this.#ref.send({ type: 'instance.heartbeat', id });
  }

  /** No event when the instance already is healthy (the coordinator calls this after every success). */
  markHealthy(id: string): void {
    const record = this.#instances()[id];
    if (record?.status === 'unhealthy') this.#ref.send({ type: 'instance.markHealthy', id });
  }

  markUnhealthy(id: string): void {
    const record = this.#instances()[id];
    if (record?.status === 'healthy') this.#ref.send({ type: 'instance.markUnhealthy', id });
  }

  getInstance(id: string): InstanceRecord | undefined {
    const instances = this.#instances();
    return Object.hasOwn(instances, id) ? instances[id] : undefined;
  }

  getAllInstances(service: string): InstanceRecord[] {
    return Object.values(this.#instances()).filter((record) => record.service === service);
  }

  /** Healthy instances of `service`, in registration order; with `agent`, only those serving it. */
  getHealthyInstances(service: string, agent?: string): readonly InstanceRecord[] {
    const instances = this.#instances();
    if (instances !== this.#indexed) {
      this.#healthy.clear();
      this.#indexed = instances;
    }
    const key = agent === undefined ? service : `${service}\0${agent}`;
    let found = this.#healthy.get(key);
    if (!found) {
      found = Object.values(instances).filter(
        (record) => record.service === service && record.status === 'healthy' && (agent === undefined || record.agents.length === 0 || record.agents.includes(agent)),
      );
      this.#healthy.set(key, found);
    }
    return found;
  }

  listServices(): string[] {
    return [...new Set(Object.values(this.#instances()).map((record) => record.service))].sort();
  }

  statistics(): RegistryStatistics {
    const { instances, rejected, checks, checkErrors, expirations, purged = 0 } = this.#ref.getSnapshot().context;
    const stats: RegistryStatistics = { services: 0, instances: 0, healthy: 0, unhealthy: 0, expired: 0, byService: {}, rejected, checks, checkErrors, expirations, purged };
    for (const record of Object.values(instances)) {
      stats.instances++;
      stats[record.status]++;
      const service = (stats.byService[record.service] ??= { total: 0, healthy: 0 });
      service.total++;
      if (record.status === 'healthy') service.healthy++;
    }
    stats.services = Object.keys(stats.byService).length;
    return stats;
  }

  #known(id: string): void {
    if (!Object.hasOwn(this.#instances(), id)) throw new InstanceNotFoundError(id);
  }
}

/** The `checkHealth` actor: pings every instance at once; a ping that fails marks only its instance. */
export function healthCheckActor(ping: (endpoint: string) => Promise<void>) {
  return fromPromise<HealthResult[], { instances: Array<{ id: string; endpoint: string }> }>(({ input }) =>
    Promise.all(
      input.instances.map(({ id, endpoint }) =>
        ping(endpoint).then(
          () => ({ id, ok: true }),
          () => ({ id, ok: false }),
        ),
      ),
    ),
  );
}

export interface RegistryOptions extends RegistryInput, Partial<HostEnv> {
  /** Instances registered at start. */
  instances?: InstanceDescriptor[];
  /** Timeout of one health check ping. Default 2000 ms. */
  healthCheckTimeoutMs?: number;
  /** How to ping an endpoint. Default: `GET {endpoint}/health` over undici. */
  ping?: (endpoint: string) => Promise<void>;
  /** A persisted snapshot to resume from; timers are re-armed. */
  snapshot?: unknown;
}

export interface RegistryFacade extends Facade, Omit<RegistryHandle, 'ref'> {
  readonly actor: RegistryRef;
  status(): RegistryStatistics;
  counters(): Record<string, number>;
}

/** A standalone registry actor with its background health check, behind the Facade contract. */
export function createRegistry(options: RegistryOptions = {}): RegistryFacade {
  const logger = options.logger ?? silentLogger;
  const pinger = options.ping ? undefined : createHttpAgentClient({ requestTimeoutMs: options.healthCheckTimeoutMs ?? 2000, connections: 2 });
  // Endpoints the default pinger holds a pool for; one that leaves the registry releases its pool.
  const pinged = new Set<string>();
  const ping =
    options.ping ??
    ((endpoint: string) => {
      pinged.add(endpoint);
      return pinger!.ping(endpoint);
    });
  const machine = registryMachine.provide({ actors: { checkHealth: healthCheckActor(ping) } });
  const actor = createActor(machine, {
    input: { heartbeatTtlMs: options.heartbeatTtlMs, healthCheckIntervalMs: options.healthCheckIntervalMs, expiredRetentionMs: options.expiredRetentionMs },
    ...(options.snapshot ? { snapshot: options.snapshot as RegistrySnapshot } : {}),
    ...hostActorOptions({ inspect: options.inspect, clock: options.clock, id: options.id }),
  });
  let seen: Record<string, InstanceRecord> | undefined;
  actor.subscribe({
    next: ({ context }) => {
      if (!pinger || context.instances === seen) return;
      seen = context.instances;
      const registered = new Set(Object.values(context.instances).map((record) => record.endpoint));
      for (const endpoint of pinged) {
        if (registered.has(endpoint)) continue;
        pinged.delete(endpoint);
        void pinger.release(endpoint);
      }
    },
    error: (error) => logger.error('registry actor failed', describeError(error)),
  });
  const handle = new RegistryHandle(actor);
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    actor.start();
    // XState keeps no timers in a snapshot: the expiry deadline and the next health check come back.
    if (options.snapshot) rearmDelays(actor);
    for (const instance of options.instances ?? []) handle.register(instance);
  };
  start();
  return {
    actor,
    start,
    register: (instance) => handle.register(instance),
    deregister: (id) => handle.deregister(id),
    heartbeat: (id) => handle.heartbeat(id),
    markHealthy: (id) => handle.markHealthy(id),
    markUnhealthy: (id) => handle.markUnhealthy(id),
    getInstance: (id) => handle.getInstance(id),
    getAllInstances: (service) => handle.getAllInstances(service),
    getHealthyInstances: (service, agent) => handle.getHealthyInstances(service, agent),
    listServices: () => handle.listServices(),
    statistics: () => handle.statistics(),
    status: () => handle.statistics(),
    counters() {
      const { instances, healthy, unhealthy, expired, rejected, checks, checkErrors, expirations, purged } = handle.statistics();
      return { instances, healthy, unhealthy, expired, rejected, health_checks: checks, health_check_errors: checkErrors, expirations, purged };
    },
    async stop() {
      actor.stop();
      await pinger?.close();
    },
  };
}
