import { createActor, type AnyActorLogic, type AnyActorRef, type Snapshot } from 'xstate';
import type { Facade, HostEnv } from '../actors/host.js';
import type { Logger } from '../adapters/logger.js';
import { ConfigError, describeError } from '../errors/base.js';
import { rearmDelays } from '../machines/xstate-internals.js';
import type { Spawnable, SpawnOptions } from './types.js';
import type { IncarnationWatch } from './watch.js';
import { childLogger } from '../adapters/logger.js';

/**
 * One incarnation of a hosted actor: what a spawn or a restart creates, and an error or a stop
 * releases. `Hosted` numbers the incarnations and decides when; this file knows how, for bare logic
 * and for facades alike.
 */
export interface Incarnation {
  /** The XState actor: the logic's own, or the facade's root actor. */
  actor: AnyActorRef;
  /** Set when the spawnable is a facade factory. */
  facade: Facade | undefined;
}

/** Builds an incarnation, not started yet. Throws when the factory or the logic cannot be built. */
export function buildIncarnation(spawnable: Spawnable, options: SpawnOptions, env: Omit<HostEnv, 'id'>, snapshot?: Snapshot<unknown>): Incarnation {
  const { id } = options;
  if (typeof spawnable === 'function') {
    // The facade logs as this actor: every record carries its id (pino's child, or merged fields).
    const facade = spawnable({ id, ...env, logger: childLogger(env.logger, { actor: id }) });
    if (!isFacade(facade)) throw new ConfigError(`spawn "${id}": the factory did not return a facade ({ actor, start, stop, status })`, { id });
    return { actor: facade.actor, facade };
  }
  // Only defined options: XState spreads them over its defaults, so `clock: undefined` would
  // replace the default clock and break every delay. Assigned, not spread: this runs per spawn.
  const actorOptions: Record<string, unknown> = { id, input: options.input };
  if (snapshot) actorOptions.snapshot = snapshot;
  if (env.inspect) actorOptions.inspect = env.inspect;
  if (env.clock) actorOptions.clock = env.clock;
  return { actor: createActor(spawnable as AnyActorLogic, actorOptions), facade: undefined };
}

/**
 * Starts a built incarnation; its errors go to `watch.error`. A facade starts on a later microtask
 * (a `start()` that throws is then caught like one that rejects), and only if no stop or newer
 * incarnation has `superseded` it by then. A restored snapshot gets its `after` timers re-armed.
 * Returns false when the start failed at once.
 */
export function startIncarnation({ actor, facade }: Incarnation, snapshot: Snapshot<unknown> | undefined, watch: IncarnationWatch): boolean {
  if (facade) {
    Promise.resolve()
      .then(() => (watch.superseded ? undefined : facade.start()))
      .catch((error: unknown) => watch.error(error));
    return true;
  }
  actor.start();
  if (snapshot) {
    try {
      rearmDelays(actor);
    } catch (error) {
      watch.error(error);
      return false;
    }
  }
  return true;
}

/** Stops the facade or the actor. A stop that throws is logged, never raised: the stop or restart goes on. */
export async function releaseIncarnation({ actor, facade }: Incarnation, id: string, logger: Logger | undefined): Promise<void> {
  try {
    if (facade) await facade.stop();
    else actor.stop();
  } catch (error) {
    logger?.warn('stopping actor threw', { id, error: describeError(error).message });
  }
}

/** Stands in for an actor that could not be created, so status() and the handle keep working. */
export function brokenActor(error: unknown): AnyActorRef {
  const snapshot = { status: 'error' as const, output: undefined, error, context: undefined };
  const logic = { transition: () => snapshot, getInitialSnapshot: () => snapshot, getPersistedSnapshot: () => snapshot };
  return createActor(logic as unknown as AnyActorLogic) as AnyActorRef;
}

function isFacade(value: unknown): value is Facade {
  const facade = value as Partial<Facade> | null;
  return (
    typeof facade === 'object' && facade !== null && typeof facade.actor?.subscribe === 'function' &&
    typeof facade.start === 'function' && typeof facade.stop === 'function' && typeof facade.status === 'function'
  );
}
