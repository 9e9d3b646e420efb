import { test } from './helpers/uvu.js';
import { receivedEvents } from './helpers/events.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createBreaker } from '../../actors/calls/breaker.js';
import type { BreakerEmitted } from '../../machines/calls/breaker.js';
import { CallTimeoutError, ErrCircuitOpen, ErrTooManyRequests } from '../../errors/calls.js';

// Typed events on the actor (cockatiel's onBreak/onReset/onHalfOpen/onSuccess/onFailure, opossum's
// 'reject'), and the per-call fallback (opossum's fallback).

const down = () => Promise.reject(new Error('down'));

test('break, halfOpen, reset, failure and rejection are the chart\'s emitted events, in order', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, maxFailures: 2, timeoutMs: 100 });
  const seen: string[] = [];
  for (const type of ['breaker.opened', 'breaker.closed', 'breaker.halfOpened', 'breaker.failed', 'breaker.rejected'] as const) {
    breaker.on(type, (event: BreakerEmitted) => seen.push(`${event.type}${'reason' in event ? `:${event.reason}` : ''}`));
  }
  let opened: Extract<BreakerEmitted, { type: 'breaker.opened' }> | undefined;
  breaker.on('breaker.opened', (event) => (opened = event));
  await breaker.execute(down).catch(() => undefined);
  await breaker.execute(down).catch(() => undefined);
  await breaker.execute(async () => 1).catch(() => undefined);
  clock.increment(100);
  await breaker.execute(async () => 1);
  breaker.isolate();
  await breaker.execute(async () => 1).catch(() => undefined);
  breaker.reset();
  assert.equal(seen, [
    'breaker.failed',
    'breaker.failed',
    'breaker.opened',
    'breaker.rejected:open',
    'breaker.halfOpened',
    'breaker.closed',
    'breaker.opened',
    'breaker.rejected:isolated',
    'breaker.closed',
  ]);
  assert.equal(opened, { type: 'breaker.opened', name: 'breaker', from: 'closed', isolated: true, retryAt: null, error: null });
  await breaker.stop();
});

test('success events: every success once someone listens (the chart is told), none after unsubscribing, and the hot path is free again', async () => {
  const { events, inspect } = receivedEvents();
  const breaker = createBreaker({ inspect });
  let successes = 0;
  const listening = breaker.on('breaker.succeeded', () => successes++);
  for (let i = 0; i < 3; i++) await breaker.execute(async () => i);
  assert.is(successes, 3);
  listening.unsubscribe();
  listening.unsubscribe(); // idempotent: one listener, one unobserve
  const before = events.length;
  for (let i = 0; i < 3; i++) await breaker.execute(async () => i);
  assert.is(successes, 3);
  assert.equal(events.slice(before), [], 'no listener: successes in closed with zero failures cost no event');
  assert.is(breaker.actor.getSnapshot().context.successObservers, 0);
  await breaker.stop();
});

test('fallback: served for a refused call, a counted failure and a timeout; never for an error isFailure excuses', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, maxFailures: 1, timeoutMs: 100, callTimeoutMs: 50, isFailure: (error) => !(error instanceof RangeError) });
  const fallback = (error: unknown) => `fallback for ${(error as { code?: string }).code ?? (error as Error).name}`;
  assert.is(await breaker.execute(() => Promise.reject(new RangeError('bad input')), { fallback }).catch((e: unknown) => e instanceof RangeError), true);
  assert.is(breaker.state, 'closed');
  assert.is(await breaker.execute(down, { fallback }), 'fallback for Error');
  assert.is(breaker.state, 'open');
  assert.is(await breaker.execute(async () => 'not run', { fallback }), 'fallback for SW_CIRCUIT_OPEN');
  clock.increment(100);
  const probe = breaker.execute(() => new Promise<string>(() => {}), { fallback });
  assert.is(await breaker.execute(async () => 'not run', { fallback }), 'fallback for SW_TOO_MANY_REQUESTS');
  clock.increment(50);
  assert.is(await probe, 'fallback for SW_CALL_TIMEOUT');
  assert.is(breaker.state, 'open', 'the fallback never changes what the breaker counts');
  assert.is(breaker.counters().fallbacks, 4);
  await breaker.stop();
});

test('without a fallback the typed errors reach the caller; a fallback that throws passes its own error on', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, maxFailures: 1, timeoutMs: 100, callTimeoutMs: 50 });
  await breaker.execute(down).catch(() => undefined);
  const refused = await breaker.execute(async () => 1).catch((e: unknown) => e);
  assert.instance(refused, ErrCircuitOpen);
  const broken = new Error('fallback broke');
  const thrown = await breaker
    .execute(async () => 1, {
      fallback: () => {
        throw broken;
      },
    })
    .catch((e: unknown) => e);
  assert.is(thrown, broken);
  clock.increment(100);
  const probe = breaker.execute(() => new Promise(() => {})).catch((e: unknown) => e);
  assert.instance(await breaker.execute(async () => 1).catch((e: unknown) => e), ErrTooManyRequests);
  clock.increment(50);
  assert.instance(await probe, CallTimeoutError);
  await breaker.stop();
});

test.run();
