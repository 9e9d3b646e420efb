import type { ActorOptions, ActorSystem, AnyActorLogic } from 'xstate';
import { systemNow } from './xstate-internals.js';

type AnyActorSystem = ActorSystem<any>;

/** XState's clock port (`createActor(logic, { clock })`): `SimulatedClock` in tests. */
export type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/**
 * The current time as the actor system sees it: the clock that drives its delays
 * (`SimulatedClock.now()` in tests, the wall clock otherwise). See xstate-internals.ts for why
 * charts need it (absolute deadlines in context, statelyai/xstate#5331).
 */
export function now(system: AnyActorSystem): number {
  return systemNow(system);
}

/** Milliseconds from now until `deadline`, never negative: the delay that re-arms a deadline. */
export function msUntil(system: AnyActorSystem, deadline: number): number {
  return Math.max(0, deadline - now(system));
}
