import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createBreaker, type BreakerOptions } from '../../actors/calls/breaker.js';
import type { SamplingSettings } from '../../machines/calls/breaker.js';
import { rateExceeded, recordOutcome, windowTotals } from '../../machines/calls/breaker-window.js';

// The sampling rule (opossum's errorThresholdPercentage + volumeThreshold, cockatiel's
// SamplingBreaker): open once the failure rate over the rolling window passes the threshold,
// strictly, and only when the window holds at least volumeThreshold calls. Edges tested at volume
// − 1, the exact rate, and bucket expiry.

function make(sampling: BreakerOptions['sampling'], extra: BreakerOptions = {}) {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, sampling, timeoutMs: 1000, ...extra });
  const ok = () => breaker.execute(async () => 'ok');
  const fail = () => breaker.execute(() => Promise.reject(new Error('down'))).catch(() => 'failed');
  return { clock, breaker, ok, fail };
}

test('volume − 1 calls never open, however many failed; the volume-th failure does', async () => {
  const { breaker, fail } = make({ volumeThreshold: 4, thresholdPercent: 50 });
  for (let i = 0; i < 3; i++) await fail();
  assert.is(breaker.state, 'closed', '3 of 3 failed, but the window holds fewer calls than the volume');
  assert.equal(breaker.status().window, { calls: 3, failures: 3 });
  await fail();
  assert.is(breaker.state, 'open');
  await breaker.stop();
});

test('exactly the threshold rate does not open (it must be passed, as in opossum and cockatiel); one more failure does', async () => {
  const { breaker, ok, fail } = make({ volumeThreshold: 4, thresholdPercent: 50 });
  await ok();
  await ok();
  await fail();
  await fail();
  assert.equal(breaker.status().window, { calls: 4, failures: 2 });
  assert.is(breaker.state, 'closed', '50 % is not more than 50 %');
  await fail();
  assert.is(breaker.state, 'open', '3 of 5 = 60 %');
  await breaker.stop();
});

test('sampling alone ignores runs of consecutive failures; with maxFailures too, whichever rule trips first opens it', async () => {
  const alone = make({ volumeThreshold: 100, thresholdPercent: 10 });
  for (let i = 0; i < 20; i++) await alone.fail();
  assert.is(alone.breaker.state, 'closed', 'no consecutive rule: 20 failures below the volume');
  await alone.breaker.stop();

  const both = make({ volumeThreshold: 100, thresholdPercent: 10 }, { maxFailures: 3 });
  for (let i = 0; i < 3; i++) await both.fail();
  assert.is(both.breaker.state, 'open', 'the consecutive rule tripped first');
  await both.breaker.stop();
});

test('a success is never what opens the circuit, even when it brings the window to its volume over the threshold', async () => {
  const { breaker, ok, fail } = make({ volumeThreshold: 3, thresholdPercent: 50 });
  await fail();
  await fail();
  await ok();
  assert.equal(breaker.status().window, { calls: 3, failures: 2 });
  assert.is(breaker.state, 'closed');
  await fail();
  assert.is(breaker.state, 'open', 'the next failure is judged: 3 of 4');
  await breaker.stop();
});

test('the window rolls by bucket: failures older than windowMs are forgotten', async () => {
  const { breaker, clock, fail } = make({ volumeThreshold: 2, thresholdPercent: 50, windowMs: 100, buckets: 2 });
  await fail(); // t = 0, bucket [0, 50)
  clock.increment(60);
  assert.is(breaker.state, 'closed');
  clock.increment(40); // t = 100: bucket [0, 50) has left the window (100, 200]
  await fail();
  assert.equal(breaker.status().window, { calls: 1, failures: 1 });
  assert.is(breaker.state, 'closed', 'one call in the window: below the volume');
  clock.increment(49); // t = 149: same bucket
  await fail();
  assert.is(breaker.state, 'open');
  await breaker.stop();
});

test('a probe success closes with an empty window; reset empties it too', async () => {
  const { breaker, clock, fail, ok } = make({ volumeThreshold: 2, thresholdPercent: 50 });
  await fail();
  await fail();
  assert.is(breaker.state, 'open');
  clock.increment(1000);
  await ok();
  assert.is(breaker.state, 'closed');
  assert.equal(breaker.status().window, { calls: 0, failures: 0 });
  await fail();
  assert.is(breaker.state, 'closed', 'one failure in a fresh window');
  breaker.reset();
  assert.equal(breaker.status().window, { calls: 0, failures: 0 });
  await breaker.stop();
});

test('window arithmetic: buckets keyed by start, the oldest forgotten, totals and the strict rate', () => {
  const sampling: SamplingSettings = { thresholdPercent: 50, volumeThreshold: 2, windowMs: 30, buckets: 3 };
  let window = recordOutcome([], sampling, 0, true);
  window = recordOutcome(window, sampling, 9, false);
  window = recordOutcome(window, sampling, 10, true);
  assert.equal(window, [
    { start: 0, successes: 1, failures: 1 },
    { start: 10, successes: 0, failures: 1 },
  ]);
  assert.ok(rateExceeded(window, sampling), '2 of 3');
  window = recordOutcome(window, sampling, 30, false); // the bucket at 0 leaves
  assert.equal(window.map((b) => b.start), [10, 30]);
  assert.equal(windowTotals(window), { calls: 2, failures: 1 });
  assert.not.ok(rateExceeded(window, sampling), '1 of 2 is exactly 50 %');
});

test.run();
