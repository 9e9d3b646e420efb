/**
 * Calls per second through a breaker in closed state with zero failures: statewire's
 * `breaker.execute(async () => 1)` against cockatiel's and opossum's breakers, in the same run.
 * Both peers are configured like ours (5 consecutive failures, 60 s open); opossum's per-call
 * timeout is turned off because ours has none (the agent client owns request timeouts), so each
 * side is measured doing the same job. `npx tsx bench/breaker.ts`
 */
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { createBreaker } from '../actors/calls/breaker.js';
import { compare, opsPerSecond } from './lib.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const work = async () => 1;

async function main(): Promise<void> {
  const ours = createBreaker({ name: 'bench', maxFailures: 5, timeoutMs: 60_000 });
  const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
  const opossum = new CircuitBreaker(work, { timeout: false, resetTimeout: 60_000, errorThresholdPercentage: 50 });
  try {
    const oursRound = () => opsPerSecond(CALLS, () => ours.execute(work));
    await compare({
      bench: 'breaker.execute closed',
      unit: 'calls/s',
      better: 'higher',
      peer: 'cockatiel 3 circuitBreaker(ConsecutiveBreaker(5)).execute',
      ours: oursRound,
      theirs: () => opsPerSecond(CALLS, () => cockatiel.execute(work)),
      extra: { calls: CALLS },
    });
    await compare({
      bench: 'breaker.execute closed',
      unit: 'calls/s',
      better: 'higher',
      peer: 'opossum 9 CircuitBreaker.fire (timeout off)',
      ours: oursRound,
      theirs: () => opsPerSecond(CALLS, () => opossum.fire()),
      extra: { calls: CALLS },
    });
    if (ours.state !== 'closed' || ours.counters().failures_counted !== 0) throw new Error('the breaker left closed during the bench');
  } finally {
    opossum.shutdown();
    await ours.stop();
  }
}

await main();
