/**
 * Calls per second through a breaker in closed state with zero failures: statewire's
 * `breaker.execute(async () => 1)` against cockatiel's and opossum's breakers, in the same run.
 *
 * How each side is configured (docs/calls.md, "Benchmarks", says the same):
 * - statewire: `createBreaker({ maxFailures: 5, timeoutMs: 60_000 })`, the seed's consecutive rule.
 * - cockatiel: `circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) })`,
 *   the same rule.
 * - opossum has no consecutive rule: it opens on `errorThresholdPercentage` (50 here, its default)
 *   over its rolling window (10 s in 10 buckets, defaults) once `volumeThreshold` calls were seen
 *   (0, its default), with `resetTimeout: 60_000`. Every call here succeeds, so no rule is ever
 *   judged on either side; what is measured is the cost of a successful call. opossum still counts
 *   every call into its window (its stats are always on); that is part of its closed-state cost.
 *
 * Lines: each peer without a per-call timeout (opossum's `timeout: false`), and with one of
 * 1000 ms (statewire `callTimeoutMs: 1000`; cockatiel `wrap(timeout(1000, Aggressive), breaker)`,
 * both rejecting at the deadline and aborting the call's signal; opossum `timeout: 1000`, which has
 * no signal). statewire makes a call's AbortController only when `fn` reads `signal` (one costs
 * about 6 µs in Node 20), cockatiel makes one per call: one more cockatiel line has `fn` read it.
 * (Under tsx every named closure made per call costs a defineProperty (esbuild keepNames), which is
 * why the timed path makes none: actors/calls/deadline.ts.)
 * `npm run bench breaker`
 */
import { ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleAll, timeout, wrap } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { createBreaker } from '../actors/calls/breaker.js';
import { compare, opsPerSecond } from './lib.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const CALL_TIMEOUT_MS = 1000;
const work = async () => 1;
/** A function that uses its signal (as `fetch(url, { signal })` would): ours makes the AbortController only then. */
const workWithSignal = async ({ signal }: { signal: AbortSignal }) => (signal.aborted ? 0 : 1);

async function main(): Promise<void> {
  const ours = createBreaker({ name: 'bench', maxFailures: 5, timeoutMs: 60_000 });
  const oursTimed = createBreaker({ name: 'bench-timed', maxFailures: 5, timeoutMs: 60_000, callTimeoutMs: CALL_TIMEOUT_MS });
  const cockatielBreaker = () => circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
  const cockatiel = cockatielBreaker();
  const cockatielTimed = wrap(timeout(CALL_TIMEOUT_MS, TimeoutStrategy.Aggressive), cockatielBreaker());
  const opossum = new CircuitBreaker(work, { timeout: false, resetTimeout: 60_000, errorThresholdPercentage: 50 });
  const opossumTimed = new CircuitBreaker(work, { timeout: CALL_TIMEOUT_MS, resetTimeout: 60_000, errorThresholdPercentage: 50 });
  try {
    const oursRound = () => opsPerSecond(CALLS, () => ours.execute(work));
    const oursTimedRound = () => opsPerSecond(CALLS, () => oursTimed.execute(work));
    const line = { unit: 'calls/s', better: 'higher' as const, extra: { calls: CALLS } };
    await compare({ ...line, bench: 'breaker.execute closed', peer: 'cockatiel 3 circuitBreaker(ConsecutiveBreaker(5)).execute', ours: oursRound, theirs: () => opsPerSecond(CALLS, () => cockatiel.execute(work)) });
    await compare({ ...line, bench: 'breaker.execute closed', peer: 'opossum 9 CircuitBreaker.fire (timeout off)', ours: oursRound, theirs: () => opsPerSecond(CALLS, () => opossum.fire()) });
    await compare({
      ...line,
      bench: 'breaker.execute closed, per-call timeout 1 s',
      peer: 'cockatiel 3 wrap(timeout(1000, Aggressive), circuitBreaker(ConsecutiveBreaker(5))).execute',
      ours: oursTimedRound,
      theirs: () => opsPerSecond(CALLS, () => cockatielTimed.execute(work)),
    });
    await compare({
      ...line,
      bench: 'breaker.execute closed, per-call timeout 1 s, fn reads its signal',
      peer: 'cockatiel 3 wrap(timeout(1000, Aggressive), circuitBreaker(ConsecutiveBreaker(5))).execute',
      ours: () => opsPerSecond(CALLS, () => oursTimed.execute(workWithSignal)),
      theirs: () => opsPerSecond(CALLS, () => cockatielTimed.execute(workWithSignal)),
    });
    await compare({
      ...line,
      bench: 'breaker.execute closed, per-call timeout 1 s',
      peer: 'opossum 9 CircuitBreaker.fire (timeout 1000)',
      ours: oursTimedRound,
      theirs: () => opsPerSecond(CALLS, () => opossumTimed.fire()),
    });
    for (const breaker of [ours, oursTimed]) {
      if (breaker.state !== 'closed' || breaker.counters().failures_counted !== 0) throw new Error(`${breaker.name} left closed during the bench`);
    }
  } finally {
    opossum.shutdown();
    opossumTimed.shutdown();
    await ours.stop();
    await oursTimed.stop();
  }
}

await main();
