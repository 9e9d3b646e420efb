import type { AnyActorRef, InspectionEvent, Observer } from 'xstate';
import type { Clock } from '../machines/clock.js';
import type { Logger } from '../adapters/logger.js';

/**
 * What a host gives an actor it creates: the runtime passes its inspector, clock and logger down so
 * a facade's actors show up in the same inspection stream and run on the same time.
 */
export interface HostEnv {
  /** The id the host knows the actor by. */
  id: string;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  clock?: Clock;
  logger?: Logger;
}

/**
 * The contract every statewire facade (createLink, createSidecarAgent, createRunner, …) meets, so
 * `runtime.spawn(env => createX({ ...options, ...env }), { id })` hosts it like a bare machine.
 */
export interface Facade {
  /** The root XState actor; its snapshot's `ready` tag drives the runtime's /readyz. */
  readonly actor: AnyActorRef;
  /** Begins work (connect, watch, pull). Idempotent. */
  start(): void | Promise<void>;
  /** Finishes in-flight work without taking new work; resolves when drained. */
  drain?(): Promise<void>;
  /** Stops for good; resolves when every resource is released. Idempotent. */
  stop(): Promise<void>;
  /** The behaviour's status (plain data: it goes into /status as JSON). */
  status(): unknown;
  /** Monotonic counters and gauges for /metrics, flat names in snake_case. */
  counters?(): Record<string, number>;
}

/**
 * The actor options a facade passes to `createActor`, with only the keys that are set: XState
 * spreads them over its defaults, so `clock: undefined` would erase its clock.
 */
export function hostActorOptions(env: { inspect?: HostEnv['inspect']; clock?: Clock; id?: string }): { inspect?: HostEnv['inspect']; clock?: Clock; id?: string } {
  const options: { inspect?: HostEnv['inspect']; clock?: Clock; id?: string } = {};
  if (env.inspect) options.inspect = env.inspect;
  if (env.clock) options.clock = env.clock;
  if (env.id) options.id = env.id;
  return options;
}
