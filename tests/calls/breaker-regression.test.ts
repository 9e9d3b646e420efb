import { test } from './helpers/uvu.js';
import { receivedEvents } from './helpers/events.js';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { breakerMachine } from '../../machines/calls/breaker.js';
import { BreakerHandle, createBreaker } from '../../actors/calls/breaker.js';
import { CallsStoppedError, ErrTooManyRequests, InvalidCallError } from '../../errors/calls.js';
import { settle } from '../helpers/model.js';

// Issue 15, each defect as it was reproduced on the landed code, through the public API only.

function deferred() {
  let resolve!: (value: unknown) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('six concurrent calls settling fail, ok, fail, ok, fail, ok leave the breaker closed (no two failures were consecutive)', async () => {
  const breaker = createBreaker({ maxFailures: 3 });
  const pending = Array.from({ length: 6 }, () => deferred());
  const calls = pending.map((d) => breaker.execute(() => d.promise).catch(() => 'failed'));
  for (const [i, d] of pending.entries()) {
    // A refused connection: a failure under every predicate (the landed default counted only network trouble).
    if (i % 2 === 0) d.reject(Object.assign(new Error(`failure ${i}`), { code: 'ECONNREFUSED' }));
    else d.resolve(`ok ${i}`);
    await settle(1);
  }
  assert.equal(await Promise.all(calls), ['failed', 'ok 1', 'failed', 'ok 3', 'failed', 'ok 5']);
  assert.is(breaker.state, 'closed');
  assert.is(breaker.failures, 0, 'the last success broke the run');
  await breaker.stop();
});

test('the success of a call started with zero failures is reported once failures were counted meanwhile', async () => {
  const { events, inspect } = receivedEvents();
  const breaker = createBreaker({ maxFailures: 2, inspect });
  const slow = deferred();
  const started = breaker.execute(() => slow.promise); // starts with zero failures
  await breaker.execute(() => Promise.reject(Object.assign(new Error('one'), { code: 'ECONNREFUSED' }))).catch(() => undefined);
  assert.is(breaker.failures, 1);
  slow.resolve('late');
  await started;
  assert.is(breaker.failures, 0);
  assert.ok(events.includes('call.succeeded'));
  await breaker.stop();
});

test('createBreaker() around an ordinary function trips: every thrown error counts (the seed\'s Execute)', async () => {
  const breaker = createBreaker();
  for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new TypeError('not a network error'))).catch(() => undefined);
  assert.is(breaker.state, 'open');
  await breaker.stop();
});

test('execute(42) is a typed error, never a TypeError from inside the breaker', async () => {
  const breaker = createBreaker();
  const error = await breaker.execute(42 as never).then(
    () => assert.unreachable('must reject'),
    (e: unknown) => e,
  );
  assert.instance(error, InvalidCallError);
  assert.is((error as InvalidCallError).code, 'SW_INVALID_CALL');
  assert.is(breaker.failures, 0, 'the caller\'s mistake is not the endpoint\'s failure');
  await breaker.stop();
});

test('execute() after stop() rejects typed and never runs fn', async () => {
  const breaker = createBreaker();
  await breaker.stop();
  let ran = false;
  const error = await breaker
    .execute(async () => {
      ran = true;
    })
    .then(
      () => assert.unreachable('must reject'),
      (e: unknown) => e,
    );
  assert.instance(error, CallsStoppedError);
  assert.is(ran, false);
});

test('the probe slot is the chart\'s guard, read and not copied: a chart provided with another guard is obeyed', async () => {
  // The chart says halfOpenMaxProbes 1, but this deployment's chart lets two probes through.
  const machine = breakerMachine.provide({ guards: { probeSlotFree: ({ context }) => context.probes < 2 } });
  const actor = createActor(machine, { input: { maxFailures: 1, timeoutMs: 0, halfOpenMaxProbes: 1 } }).start();
  const handle = new BreakerHandle(actor);
  await handle.execute(() => Promise.reject(Object.assign(new Error('trip'), { code: 'ECONNREFUSED' }))).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 5)); // open → halfOpen after 0 ms
  assert.is(handle.state, 'halfOpen');
  const first = deferred();
  const second = deferred();
  const probes = [handle.execute(() => first.promise), handle.execute(() => second.promise)];
  const third = await handle.execute(async () => 'third').then(
    () => 'passed',
    (e: unknown) => e,
  );
  assert.instance(third, ErrTooManyRequests, 'the third is refused by the same guard');
  assert.is(actor.getSnapshot().context.probes, 2, 'two probes in flight, as the provided chart decides');
  first.resolve('a');
  second.resolve('b');
  assert.equal(await Promise.all(probes), ['a', 'b']);
  assert.is(handle.state, 'closed');
  actor.stop();
});

test.run();
