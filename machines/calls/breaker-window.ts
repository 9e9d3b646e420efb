import type { SamplingSettings } from './breaker-settings.js';

/**
 * The sampling breaker's rolling window, as plain data in the chart's context (so it persists with
 * the snapshot): at most `buckets` buckets of `windowMs / buckets` each, the newest last. A bucket
 * is keyed by its start time; recording at time t first forgets every bucket that no longer lies
 * in the window ending at t's bucket, so the totals always cover the last `windowMs` at bucket
 * granularity (opossum and cockatiel roll the same way). Pure: the chart passes the clock's time.
 */
export interface WindowBucket {
  start: number;
  successes: number;
  failures: number;
}

export interface WindowTotals {
  calls: number;
  failures: number;
}

/** The window after one outcome at time `at`. */
export function recordOutcome(window: readonly WindowBucket[], sampling: SamplingSettings, at: number, failed: boolean): WindowBucket[] {
  const width = sampling.windowMs / sampling.buckets;
  const start = Math.floor(at / width) * width;
  const kept = window.filter((bucket) => bucket.start > start - sampling.windowMs && bucket.start <= start);
  const last = kept[kept.length - 1];
  const current = last && last.start === start ? last : { start, successes: 0, failures: 0 };
  const updated = { ...current, successes: current.successes + (failed ? 0 : 1), failures: current.failures + (failed ? 1 : 0) };
  return current === last ? [...kept.slice(0, -1), updated] : [...kept, updated];
}

export function windowTotals(window: readonly WindowBucket[]): WindowTotals {
  let calls = 0;
  let failures = 0;
  for (const bucket of window) {
    calls += bucket.successes + bucket.failures;
    failures += bucket.failures;
  }
  return { calls, failures };
}

/**
 * Whether the window's failure rate passes the threshold with enough volume. Strictly greater, as
 * opossum (`errorRate > errorThresholdPercentage`) and cockatiel (`failures > threshold * total`):
 * exactly 50 % failures does not open a 50 % breaker. Integer arithmetic, no division.
 */
export function rateExceeded(window: readonly WindowBucket[], sampling: SamplingSettings): boolean {
  const { calls, failures } = windowTotals(window);
  return calls > 0 && calls >= sampling.volumeThreshold && failures * 100 > sampling.thresholdPercent * calls;
}
