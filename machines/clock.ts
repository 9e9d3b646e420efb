import type { ActorOptions, ActorSystem, AnyActorLogic } from 'xstate';

type AnyActorSystem = ActorSystem<any>;

/** XState's clock port (`createActor(logic, { clock })`): `SimulatedClock` in tests. */
export type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/**
 * The current time as the actor system sees it.
 *
 * Machines keep deadlines as absolute times in context (XState does not re-arm `after` timers
 * from a persisted snapshot, statelyai/xstate#5331), so they need "now" from the same clock that
 * drives their delays: `SimulatedClock.now()` in tests, the wall clock otherwise. XState's default
 * clock has no `now`, hence the fallback.
 */
export function now(system: AnyActorSystem): number {
  const clock = system._clock as { now?: () => number };
  return typeof clock.now === 'function' ? clock.now() : Date.now();
}

/** Milliseconds from now until `deadline`, never negative: the delay that re-arms a deadline. */
export function msUntil(system: AnyActorSystem, deadline: number): number {
  return Math.max(0, deadline - now(system));
}
