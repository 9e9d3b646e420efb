import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SimulatedClock, transition } from 'xstate';
import type { BreakerEvent, BreakerInput } from '../../machines/calls/breaker.js';
import { selects } from '../../actors/calls/breaker-plan.js';
import { createBreaker } from '../../actors/calls/breaker.js';
import { ReferenceBreaker } from './helpers/breaker-reference.js';

/**
 * The proof that the facade's hot path is the chart: createBreaker (which sends an event only when
 * the chart selects a transition, and reads verdicts from a per-snapshot plan) and the reference
 * (helpers/breaker-reference.ts: sends every event, reads each verdict from the transition taken)
 * run the same generated interleavings of concurrent calls: calls start, settle in any order
 * (success, counted failure, an error isFailure excuses), time passes on a SimulatedClock (per-call
 * timeouts fire, open turns halfOpen, sampling buckets roll), reset, isolate, listeners come and
 * go. After every step both must agree on the state, the whole context, every emitted event, and
 * what every caller got. 1 000 runs over consecutive and sampling rules, with and without timeouts.
 */

class Excused extends Error {}
const isFailure = (error: unknown) => !(error instanceof Excused);

type Op =
  | { op: 'start'; fallback: boolean }
  | { op: 'settle'; pick: number; outcome: 'ok' | 'fail' | 'excused' }
  | { op: 'advance'; ms: number }
  | { op: 'reset' | 'isolate' | 'observe' | 'unobserve' };

const configArb: fc.Arbitrary<BreakerInput> = fc.oneof(
  fc.record({ maxFailures: fc.integer({ min: 1, max: 3 }), halfOpenMaxProbes: fc.integer({ min: 1, max: 2 }), callTimeoutMs: fc.constantFrom(0, 20) }),
  fc.record({
    maxFailures: fc.integer({ min: 0, max: 3 }),
    halfOpenMaxProbes: fc.integer({ min: 1, max: 2 }),
    callTimeoutMs: fc.constantFrom(0, 20),
    sampling: fc.record({
      thresholdPercent: fc.constantFrom(0, 34, 50, 67),
      volumeThreshold: fc.integer({ min: 0, max: 4 }),
      windowMs: fc.constantFrom(40, 60),
      buckets: fc.constantFrom(1, 2, 4),
    }),
  }),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('start' as const), fallback: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('settle' as const), pick: fc.nat({ max: 7 }), outcome: fc.constantFrom('ok' as const, 'fail' as const, 'excused' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('reset' as const, 'isolate' as const, 'observe' as const, 'unobserve' as const) }) },
);

interface Side {
  clock: SimulatedClock;
  actor: { getSnapshot(): { value: unknown; context: unknown } };
  start(fallback: boolean): { resolve(value: unknown): void; reject(error: unknown): void } | undefined;
  observe(): { unsubscribe(): void };
  reset(): void;
  isolate(): void;
  stop(): void;
}

interface Call {
  settlers: Array<{ resolve(value: unknown): void; reject(error: unknown): void } | undefined>;
  results: string[];
}

const fallbackFor = (error: unknown) => `fallback:${(error as { code?: string }).code ?? 'plain'}`;

function facadeSide(input: BreakerInput): Side {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ ...input, clock, isFailure });
  return {
    clock,
    actor: breaker.actor,
    start(fallback) {
      let settler: { resolve(value: unknown): void; reject(error: unknown): void } | undefined;
      const promise = breaker.execute(() => new Promise((resolve, reject) => (settler = { resolve, reject })), fallback ? { fallback: fallbackFor } : undefined);
      return Object.assign(settler ?? {}, { promise }) as never;
    },
    observe: () => breaker.on('breaker.succeeded', () => undefined),
    reset: () => breaker.reset(),
    isolate: () => breaker.isolate(),
    stop: () => void breaker.stop(),
  };
}

function referenceSide(input: BreakerInput): Side {
  const clock = new SimulatedClock();
  const reference = new ReferenceBreaker(input, clock, isFailure);
  return {
    clock,
    actor: reference.actor,
    start(fallback) {
      let settler: { resolve(value: unknown): void; reject(error: unknown): void } | undefined;
      const promise = reference.execute(() => new Promise((resolve, reject) => (settler = { resolve, reject })), fallback ? fallbackFor : undefined);
      return Object.assign(settler ?? {}, { promise }) as never;
    },
    observe() {
      const subscription = reference.actor.on('breaker.succeeded', () => undefined);
      reference.send({ type: 'breaker.observe' });
      let on = true;
      return {
        unsubscribe() {
          if (!on) return;
          on = false;
          subscription.unsubscribe();
          reference.send({ type: 'breaker.unobserve' });
        },
      };
    },
    reset: () => void reference.send({ type: 'breaker.reset' }),
    isolate: () => void reference.send({ type: 'breaker.isolate' }),
    stop: () => void reference.actor.stop(),
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const checked = new WeakSet<object>();

/**
 * The rule the hot path stands on, checked on every snapshot a run reaches: an event the chart
 * selects no transition for changes nothing when it IS sent (XState still runs eventless
 * transitions after it, so this is not true of every chart: a trip rule that read the event broke it).
 */
function skippingIsSound(snapshot: Parameters<typeof selects>[0], where: string): void {
  // Only closed has eventless transitions; elsewhere an event that selects nothing is a no-op by construction.
  if (snapshot.value !== 'closed' || checked.has(snapshot)) return;
  checked.add(snapshot);
  const { epoch } = snapshot.context;
  const error = { code: 'E', message: 'e' };
  // The events the facade skips: a request and a success in closed, and any outcome of an old period.
  const candidates: BreakerEvent[] = [
    { type: 'call.requested' },
    { type: 'call.succeeded', epoch },
    { type: 'call.failed', epoch: epoch - 1, error },
  ];
  for (const event of candidates) {
    if (selects(snapshot, event)) continue;
    const [next] = transition(snapshot.machine, snapshot, event);
    assert.equal([next.value, next.context], [snapshot.value, snapshot.context], `${event.type}@${'epoch' in event ? event.epoch : '-'} selects nothing, yet changes the chart ${where}`);
  }
}

async function run(input: BreakerInput, ops: Op[]): Promise<void> {
  const sides = [facadeSide(input), referenceSide(input)] as const;
  const emitted: string[][] = sides.map((side) => {
    const log: string[] = [];
    (side.actor as unknown as { on(type: '*', fn: (event: unknown) => void): void }).on('*', (event) => log.push(JSON.stringify(event)));
    return log;
  });
  const calls: Call[] = [];
  const listeners: Array<Array<{ unsubscribe(): void }>> = [[], []];
  try {
    for (const [step, op] of ops.entries()) {
      if (op.op === 'start') {
        const call: Call = { settlers: [], results: ['pending', 'pending'] };
        sides.forEach((side, i) => {
          const started = side.start(op.fallback) as unknown as { resolve?: (v: unknown) => void; reject?: (e: unknown) => void; promise: Promise<unknown> };
          call.settlers.push(started.resolve ? (started as never) : undefined);
          started.promise.then(
            (value) => (call.results[i] = `ok:${String(value)}`),
            (error: unknown) => (call.results[i] = `error:${(error as { code?: string }).code ?? (error as Error).constructor.name}`),
          );
        });
        calls.push(call);
      } else if (op.op === 'settle') {
        const open = calls.filter((call) => call.settlers.some(Boolean));
        const call = open[op.pick % Math.max(1, open.length)];
        if (call) {
          call.settlers.forEach((settler) => {
            if (op.outcome === 'ok') settler?.resolve(`v${step}`);
            else settler?.reject(op.outcome === 'fail' ? new Error('boom') : new Excused('not the endpoint'));
          });
          call.settlers = [];
        }
      } else if (op.op === 'advance') sides.forEach((side) => side.clock.increment(op.ms));
      else if (op.op === 'reset') sides.forEach((side) => side.reset());
      else if (op.op === 'isolate') sides.forEach((side) => side.isolate());
      else if (op.op === 'observe') sides.forEach((side, i) => listeners[i]!.push(side.observe()));
      else listeners.forEach((list) => list.pop()?.unsubscribe());
      await tick();
      const [facade, reference] = sides.map((side) => side.actor.getSnapshot());
      const where = `after step ${step} (${JSON.stringify(op)}) of ${JSON.stringify(ops.slice(0, step + 1))}`;
      assert.equal(facade!.value, reference!.value, `state ${where}`);
      assert.equal(facade!.context, reference!.context, `context ${where}`);
      assert.equal(emitted[0], emitted[1], `emitted events ${where}`);
      for (const call of calls) assert.is(call.results[0], call.results[1], `a caller's result ${where}`);
      skippingIsSound(sides[0].actor.getSnapshot() as Parameters<typeof selects>[0], where);
    }
  } finally {
    sides.forEach((side) => side.stop());
  }
}

// BREAKER_PROPERTY_RUNS / BREAKER_PROPERTY_LENGTH widen the search by hand (e.g. 50 000 runs of 80 steps).
const RUNS = Number(process.env.BREAKER_PROPERTY_RUNS ?? 1000);
const LENGTH = Number(process.env.BREAKER_PROPERTY_LENGTH ?? 30);

test('facade ≡ chart: 1 000 generated interleavings of concurrent calls, both rules, timeouts, time', async () => {
  await fc.assert(
    fc.asyncProperty(configArb, fc.array(opArb, { minLength: 1, maxLength: LENGTH, size: 'max' }), async (config, ops) => run({ ...config, timeoutMs: 50 }, ops)),
    { numRuns: RUNS },
  );
});

test('the issue 15 interleaving is among those the property checks (fail, ok, fail, ok, fail, ok over six calls)', async () => {
  const ops: Op[] = [
    ...Array.from({ length: 6 }, () => ({ op: 'start' as const, fallback: false })),
    ...(['fail', 'ok', 'fail', 'ok', 'fail', 'ok'] as const).map((outcome) => ({ op: 'settle' as const, pick: 0, outcome })),
  ];
  await run({ maxFailures: 3, timeoutMs: 50 }, ops);
});

test('a stale failure arriving while the window is past its rate (reached on a success) changes nothing on either side', async () => {
  // XState evaluates eventless transitions even after an event that selected none: the trip rules
  // must read context only, or such an event would trip the reference while the facade sends nothing.
  const start = { op: 'start' as const, fallback: false };
  const settle = (pick: number, outcome: 'ok' | 'fail') => ({ op: 'settle' as const, pick, outcome });
  const ops: Op[] = [
    start, start, start, start, // A (stays pending), B, C, D
    settle(1, 'fail'), settle(1, 'fail'), settle(1, 'fail'), // B, C, D: 3 of 3 failed, open
    { op: 'advance', ms: 50 }, // halfOpen
    start, settle(1, 'ok'), // a probe succeeds: closed, a fresh window
    start, start, start, // F, G, H
    settle(1, 'fail'), settle(1, 'fail'), settle(1, 'ok'), // 2 of 3 failed, judged on a success: closed
    settle(0, 'fail'), // A, admitted before the circuit opened, fails now
  ];
  await run({ maxFailures: 0, timeoutMs: 50, sampling: { volumeThreshold: 3, thresholdPercent: 50, windowMs: 60_000, buckets: 1 } }, ops);
});

test.run();
