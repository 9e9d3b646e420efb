import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextRetryDelay, scheduleProblem, unitHash, withRetryAfter } from '../../machines/delivery/schedule.js';

test('step: the interval every time, up to `times` retries; 0 means unlimited', () => {
  const step = { kind: 'step' as const, intervalMs: 60_000, times: 3 };
  assert.equal([0, 1, 2, 3].map((n) => nextRetryDelay(step, n)), [60_000, 60_000, 60_000, null]);
  assert.is(nextRetryDelay({ ...step, times: 0 }, 10_000), 60_000);
});

test('ladder: one rung per retry, then used up', () => {
  const ladder = { kind: 'ladder' as const, ladderMs: [60_000, 300_000, 1_800_000, 3_600_000] };
  assert.equal([0, 1, 2, 3, 4].map((n) => nextRetryDelay(ladder, n)), [60_000, 300_000, 1_800_000, 3_600_000, null]);
  assert.is(nextRetryDelay({ kind: 'ladder', ladderMs: [] }, 0), null);
});

test('jitter spreads ±ratio around the delay; unit 0.5 is the delay itself', () => {
  const step = { kind: 'step' as const, intervalMs: 1000, times: 0, jitter: 0.1 };
  assert.is(nextRetryDelay(step, 0, 0), 900);
  assert.is(nextRetryDelay(step, 0, 0.5), 1000);
  assert.is(nextRetryDelay(step, 0, 0.999_999), 1100);
});

test('Retry-After wins only when longer, and never revives a used-up schedule', () => {
  assert.is(withRetryAfter(1000, 5000), 5000);
  assert.is(withRetryAfter(1000, 10), 1000);
  assert.is(withRetryAfter(1000, null), 1000);
  assert.is(withRetryAfter(null, 5000), null);
});

test('scheduleProblem names what cannot work', () => {
  assert.is(scheduleProblem({ kind: 'step', intervalMs: 10, times: 0 }), null);
  assert.match(scheduleProblem({ kind: 'step', intervalMs: -1, times: 0 }) ?? '', /intervalMs/);
  assert.match(scheduleProblem({ kind: 'step', intervalMs: 1, times: 1.5 }) ?? '', /times/);
  assert.match(scheduleProblem({ kind: 'ladder', ladderMs: [1, Number.NaN] }) ?? '', /ladderMs/);
  assert.match(scheduleProblem({ kind: 'ladder', ladderMs: [1], jitter: 1.5 }) ?? '', /jitter/);
  assert.match(scheduleProblem({ kind: 'exponential' } as never) ?? '', /unknown schedule kind/);
});

test('unitHash: deterministic, in [0, 1), spread', () => {
  const values = Array.from({ length: 1000 }, (_, i) => unitHash(i, 1));
  assert.ok(values.every((v) => v >= 0 && v < 1));
  assert.is(unitHash(42, 3), unitHash(42, 3));
  const low = values.filter((v) => v < 0.5).length;
  assert.ok(low > 400 && low < 600, `${low} of 1000 below 0.5`);
});

test.run();
