import type { Clock } from '../machines/clock.js';

// The runtime's own waits run in real time. A stop has to end even under a SimulatedClock that
// nobody advances, so its deadlines are never measured on the clock that drives the charts.

/** Node's own timers: the default clock of the charts, and always the clock of a stop's deadlines. */
export const wallClock: Clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout) };

/** The longest delay a Node timer takes; longer ones fire after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;

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
