/**
 * The retry rules of one job, pure: shared by the job chart's guard, the runner and both backends'
 * callers, so "retries left" and "when next" have exactly one definition.
 */

/** `retry < 0` means unlimited; otherwise a job may fail `retry` times and still run again. */
export function hasRetriesLeft(retry: number, retryCount: number): boolean {
  return retry < 0 || retryCount <= retry;
}

export interface RetryDelayOptions {
  /** Fixed part of every delay. Default 15 000 ms (the seed's "+ 15 s"). */
  baseMs?: number;
  /** The delay grows as `retryCount ** exponent` seconds. Default 4. */
  exponent?: number;
  /** Random part: up to `jitterMs × (retryCount + 1)`. Default 30 000 ms (Sidekiq's schedule). */
  jitterMs?: number;
}

/**
 * Delay before run number `retryCount + 1` after failure number `retryCount` (1-based):
 * `retryCount⁴ s + 15 s + jitter`, the polynomial schedule the seed inherits from Sidekiq
 * (1st retry ≈ 16–76 s, 5th ≈ 11 min, 13th ≈ 8 h). Polynomial, not exponential: a job that fails
 * for a day still retries within hours, not weeks.
 */
export function jobRetryDelayMs(retryCount: number, options: RetryDelayOptions = {}, random: () => number = Math.random): number {
  const baseMs = options.baseMs ?? 15_000;
  const exponent = options.exponent ?? 4;
  const jitterMs = options.jitterMs ?? 30_000;
  const n = Math.max(1, retryCount);
  return n ** exponent * 1000 + baseMs + Math.floor(random() * jitterMs * (n + 1));
}
