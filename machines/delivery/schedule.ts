/**
 * Retry schedules of the delivery actor, pure: given how many retries a task has had, when is the
 * next one, or is it done? No clock and no `Math.random` here: jitter draws from `unitHash(seed)`,
 * a hash of the task id and attempt, so a chart replays the same way under test and every process
 * spreads the same task the same way.
 */

/**
 * `step`: every `intervalMs`, at most `times` retries (0 = unlimited) — the seed's periodic retry.
 * `ladder`: one retry after each delay of `ladderMs` in turn, then stop — e.g. 1 min, 5 min, 30 min, 1 h.
 * `jitter` (both): a ratio in [0, 1]; each delay is spread uniformly over ±jitter of itself. Default 0.
 */
export type RetrySchedule =
  | { kind: 'step'; intervalMs: number; times: number; jitter?: number }
  | { kind: 'ladder'; ladderMs: number[]; jitter?: number };

/** The seed's defaults: periodic, every 60 s, unlimited. */
export const defaultRetrySchedule: RetrySchedule = { kind: 'step', intervalMs: 60_000, times: 0 };

/**
 * The delay before retry number `retryCount + 1`, or `null` when the schedule is used up.
 * `unit` is a number in [0, 1) for the jitter (see `unitHash`).
 */
export function nextRetryDelay(schedule: RetrySchedule, retryCount: number, unit = 0.5): number | null {
  let base: number;
  if (schedule.kind === 'step') {
    if (schedule.times > 0 && retryCount >= schedule.times) return null;
    base = schedule.intervalMs;
  } else {
    const rung = schedule.ladderMs[retryCount];
    if (rung === undefined) return null;
    base = rung;
  }
  const jitter = Math.min(1, Math.max(0, schedule.jitter ?? 0));
  return Math.max(0, Math.round(base * (1 + jitter * (2 * unit - 1))));
}

/**
 * The delay to wait after a failed attempt: the schedule's, or the receiver's `Retry-After` when
 * that is longer (a receiver asking for more time gets it; one asking for less does not speed the
 * schedule up). `null` stays `null`: a used-up schedule is not revived by a Retry-After.
 */
export function withRetryAfter(delay: number | null, retryAfterMs: number | null | undefined): number | null {
  if (delay === null) return null;
  return retryAfterMs != null && retryAfterMs > delay ? retryAfterMs : delay;
}

/** Why a schedule cannot work, or `null` when it can. */
export function scheduleProblem(schedule: RetrySchedule): string | null {
  const jitter = schedule.jitter ?? 0;
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) return 'jitter must be in [0, 1]';
  if (schedule.kind === 'step') {
    if (!Number.isFinite(schedule.intervalMs) || schedule.intervalMs < 0) return 'step intervalMs must be a non-negative number';
    if (!Number.isInteger(schedule.times) || schedule.times < 0) return 'step times must be a non-negative integer (0 = unlimited)';
    return null;
  }
  if (schedule.kind === 'ladder') {
    if (!Array.isArray(schedule.ladderMs)) return 'ladderMs must be an array of delays';
    if (schedule.ladderMs.some((ms) => !Number.isFinite(ms) || ms < 0)) return 'ladderMs must hold non-negative numbers';
    return null;
  }
  return `unknown schedule kind "${(schedule as { kind?: unknown }).kind}"`;
}

/** A deterministic number in [0, 1) from integers (mulberry32 over their mix). */
export function unitHash(a: number, b = 0): number {
  let t = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b)) + 0x6d2b79f5;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
