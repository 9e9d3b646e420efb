import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffDelay } from '../../machines/backoff.js';

test('backoff: exponential, capped, no jitter', () => {
  const options = { initialMs: 100, maxMs: 1000, jitter: 'none' as const };
  assert.equal([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options)), [100, 200, 400, 800, 1000, 1000]);
});

test('backoff: full jitter stays within [0, delay]; equal jitter within [delay/2, delay]', () => {
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 10_000 }, () => 0), 0);
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 10_000 }, () => 0.5), 200);
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 10_000, jitter: 'equal' }, () => 0), 200);
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 10_000, jitter: 'equal' }, () => 0.999), 399.8);
});

test.run();
