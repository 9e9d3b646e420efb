import { createActor, type AnyActorLogic, type AnyActorRef } from 'xstate';
import type { Facade } from '../actors/host.js';
import type { Clock } from '../machines/clock.js';

// What Hosted needs around an incarnation: telling logic kinds apart, and waiting with a deadline.

/** Stands in for an actor that could not be created, so status() and the handle keep working. */
export function brokenActor(error: unknown): AnyActorRef {
  const snapshot = { status: 'error' as const, output: undefined, error, context: undefined };
  const logic = { transition: () => snapshot, getInitialSnapshot: () => snapshot, getPersistedSnapshot: () => snapshot };
  return createActor(logic as unknown as AnyActorLogic) as AnyActorRef;
}

export function isFacade(value: unknown): value is Facade {
  const facade = value as Partial<Facade> | null;
  return (
    typeof facade === 'object' && facade !== null && typeof facade.actor?.subscribe === 'function' &&
    typeof facade.start === 'function' && typeof facade.stop === 'function' && typeof facade.status === 'function'
  );
}

export function isMachine(logic: AnyActorLogic): boolean {
  return typeof (logic as { root?: unknown }).root === 'object' && typeof (logic as { provide?: unknown }).provide === 'function';
}

/** Node's own timers: shutdown deadlines are real time whatever clock drives the charts. */
export const wallClock: Clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout) };

export function clearTimer(clock: Clock, timer: unknown): void {
  if (timer !== undefined) clock.clearTimeout(timer);
}

/** How long stop waits past its deadline for an actor's hard stop (a facade's `stop()`) to finish. */
export const STOP_GRACE_MS = 1000;

/** The longest delay a Node timer takes; longer ones fire after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Resolves true when `work` settles within `ms`, false when the deadline came first. `Infinity`
 * waits for as long as it takes (a timer would overflow and fire at once); NaN counts as no time.
 */
export function withDeadline(work: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  if (!(ms > 0)) return Promise.resolve(false);
  if (ms > MAX_TIMER_MS) return work.then(() => true, () => true);
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    work.then(
      () => (clock.clearTimeout(timer), resolve(true)),
      () => (clock.clearTimeout(timer), resolve(true)),
    );
  });
}
