import { test } from './helpers/uvu.js';
import { receivedEvents } from './helpers/events.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createBreaker, type BreakerFacade } from '../../actors/calls/breaker.js';
import { AgentHttpStatusError, AgentNetworkError, ErrCircuitOpen, ErrTooManyRequests } from '../../errors/calls.js';
import { countsAsFailure } from '../../actors/calls/failure-policy.js';

const netError = () => new AgentNetworkError('http://127.0.0.1:1', '/x', new Error('ECONNREFUSED'));
const fail = (error: unknown = netError()) => async () => {
  throw error;
};
const ok = async () => 'ok';

async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, type);
    return error as Error;
  }
  throw new Error(`expected a ${type.name}`);
}

function make(options: Parameters<typeof createBreaker>[0] = {}) {
  const clock = new SimulatedClock();
  const changes: string[] = [];
  const breaker = createBreaker({ clock, maxFailures: 3, timeoutMs: 1000, onStateChange: (from, to) => changes.push(`${from}>${to}`), ...options });
  return { clock, changes, breaker };
}

async function trip(breaker: BreakerFacade, times: number) {
  for (let i = 0; i < times; i++) await rejects(breaker.execute(fail()), AgentNetworkError);
}

test('closed opens after maxFailures consecutive counted failures, then fails fast without calling', async () => {
  const { breaker, changes } = make();
  await trip(breaker, 2);
  assert.is(breaker.state, 'closed');
  assert.is(breaker.failures, 2);
  await trip(breaker, 1);
  assert.is(breaker.state, 'open');
  let called = false;
  const error = await rejects(breaker.execute(async () => (called = true)), ErrCircuitOpen);
  assert.is(called, false);
  assert.is((error as ErrCircuitOpen).code, 'SW_CIRCUIT_OPEN');
  assert.equal(changes, ['closed>open']);
  await breaker.stop();
});

test('with the agent calls\' predicate (countsAsFailure), a success or a 4xx breaks the run; 4xx never counts', async () => {
  const { breaker } = make({ isFailure: countsAsFailure });
  await trip(breaker, 2);
  await breaker.execute(ok);
  assert.is(breaker.failures, 0);
  await trip(breaker, 2);
  await rejects(breaker.execute(fail(new AgentHttpStatusError('e', '/p', 404, ''))), AgentHttpStatusError);
  assert.is(breaker.failures, 0);
  for (let i = 0; i < 5; i++) await rejects(breaker.execute(fail(new AgentHttpStatusError('e', '/p', 400, ''))), AgentHttpStatusError);
  assert.is(breaker.state, 'closed');
  await rejects(breaker.execute(fail(new AgentHttpStatusError('e', '/p', 503, ''))), AgentHttpStatusError);
  assert.is(breaker.failures, 1, '5xx counts');
  await breaker.stop();
});

test('open turns halfOpen after timeoutMs; a probe success closes it', async () => {
  const { breaker, clock, changes } = make();
  await trip(breaker, 3);
  clock.increment(999);
  assert.is(breaker.state, 'open');
  clock.increment(1);
  assert.is(breaker.state, 'halfOpen');
  assert.is(await breaker.execute(ok), 'ok');
  assert.is(breaker.state, 'closed');
  assert.is(breaker.failures, 0);
  assert.equal(changes, ['closed>open', 'open>halfOpen', 'halfOpen>closed']);
  await breaker.stop();
});

test('a probe failure opens the circuit again with a fresh deadline', async () => {
  const { breaker, clock, changes } = make();
  await trip(breaker, 3);
  clock.increment(1000);
  await rejects(breaker.execute(fail()), AgentNetworkError);
  assert.is(breaker.state, 'open');
  assert.is(breaker.status().openUntil, 2000);
  clock.increment(1000);
  assert.is(breaker.state, 'halfOpen');
  assert.equal(changes, ['closed>open', 'open>halfOpen', 'halfOpen>open', 'open>halfOpen']);
  await breaker.stop();
});

test('halfOpen lets halfOpenMaxProbes calls through at once; concurrent extras get ErrTooManyRequests', async () => {
  for (const maxProbes of [1, 2]) {
    const { breaker, clock } = make({ halfOpenMaxProbes: maxProbes });
    await trip(breaker, 3);
    clock.increment(1000);
    const releases: Array<() => void> = [];
    const probes = Array.from({ length: maxProbes }, () => breaker.execute(() => new Promise<string>((resolve) => releases.push(() => resolve('probe')))));
    await rejects(breaker.execute(ok), ErrTooManyRequests);
    assert.is(breaker.counters().rejected_probes, 1);
    for (const release of releases) release();
    assert.equal(await Promise.all(probes), Array(maxProbes).fill('probe'));
    assert.is(breaker.state, 'closed');
    await breaker.stop();
  }
});

test('a late result of a call started before the circuit opened does not decide the probe', async () => {
  const { breaker, clock } = make();
  let releaseSlow!: () => void;
  const slow = breaker.execute(() => new Promise<string>((_, reject) => (releaseSlow = () => reject(netError()))));
  await trip(breaker, 3);
  clock.increment(1000);
  assert.is(breaker.state, 'halfOpen');
  releaseSlow();
  await rejects(slow, AgentNetworkError);
  assert.is(breaker.state, 'halfOpen', 'the stale failure was ignored');
  await breaker.execute(ok);
  assert.is(breaker.state, 'closed');
  await breaker.stop();
});

test('reset closes from any state; isolate forces open until reset, whatever the clock says', async () => {
  const { breaker, clock, changes } = make();
  await trip(breaker, 3);
  breaker.reset();
  assert.is(breaker.state, 'closed');
  breaker.isolate();
  assert.is(breaker.state, 'isolated');
  const error = await rejects(breaker.execute(ok), ErrCircuitOpen);
  assert.is((error as ErrCircuitOpen).details.isolated, true);
  clock.increment(10_000);
  assert.is(breaker.state, 'isolated');
  breaker.reset();
  assert.is(await breaker.execute(ok), 'ok');
  assert.equal(changes, ['closed>open', 'open>closed', 'closed>isolated', 'isolated>closed']);
  await breaker.stop();
});

test('a breaker restored mid-open re-arms its deadline for exactly the time left', async () => {
  const { breaker, clock } = make();
  await trip(breaker, 3);
  clock.increment(400);
  const persisted = breaker.actor.getPersistedSnapshot();
  await breaker.stop();

  const clock2 = new SimulatedClock();
  clock2.set(400);
  const restored = createBreaker({ clock: clock2, snapshot: JSON.parse(JSON.stringify(persisted)) });
  assert.is(restored.state, 'open');
  assert.is(restored.failures, 3);
  clock2.increment(599);
  assert.is(restored.state, 'open');
  clock2.increment(1);
  assert.is(restored.state, 'halfOpen');
  await restored.stop();
});

test('a breaker restored in halfOpen with a probe in flight frees the probe slot (the probe died with the old process)', async () => {
  const { breaker, clock } = make({ maxFailures: 1 });
  await trip(breaker, 1);
  clock.increment(1000);
  assert.is(breaker.state, 'halfOpen');
  void breaker.execute(() => new Promise(() => {})); // a probe that never comes back
  assert.is(breaker.status().probes, 1);
  const persisted = JSON.parse(JSON.stringify(breaker.actor.getPersistedSnapshot()));
  await breaker.stop();

  const clock2 = new SimulatedClock();
  clock2.set(1000);
  const restored = createBreaker({ clock: clock2, snapshot: persisted });
  assert.is(restored.state, 'halfOpen');
  assert.is(await restored.execute(ok), 'ok', 'a new probe goes through instead of ErrTooManyRequests');
  assert.is(restored.state, 'closed');
  await restored.stop();
});

test('a snapshot persisted before the sampling rule, timeouts and listeners existed resumes as a consecutive breaker; old listeners are forgotten', async () => {
  const { breaker, clock } = make();
  breaker.on('breaker.succeeded', () => undefined);
  await trip(breaker, 2);
  const persisted = JSON.parse(JSON.stringify(breaker.actor.getPersistedSnapshot()));
  await breaker.stop();
  for (const field of ['window', 'lastOutcome', 'callTimeoutMs', 'sampling', 'rejected']) delete persisted.context[field];
  assert.is(persisted.context.successObservers, 1);

  const restored = createBreaker({ clock, snapshot: persisted });
  assert.is(restored.actor.getSnapshot().status, 'active');
  assert.is(restored.actor.getSnapshot().context.successObservers, 0, 'the listener was the old process\'s');
  assert.is(restored.failures, 2);
  await trip(restored, 1);
  assert.is(restored.state, 'open');
  await rejects(restored.execute(ok), ErrCircuitOpen);
  clock.increment(1000);
  assert.is(await restored.execute(ok), 'ok');
  assert.is(restored.state, 'closed');
  await restored.stop();
});

test('an isFailure predicate that throws counts the error as a failure and never strands a probe', async () => {
  const { breaker, clock } = make({
    maxFailures: 1,
    isFailure: () => {
      throw new Error('predicate bug');
    },
  });
  const boom = new Error('call failed');
  assert.is(await rejects(breaker.execute(fail(boom)), Error), boom, 'the caller sees the call error, not the predicate one');
  assert.is(breaker.state, 'open');
  clock.increment(1000);
  await rejects(breaker.execute(fail(boom)), Error);
  assert.is(breaker.state, 'open', 'the failed probe reopened the circuit');
  assert.is(breaker.status().probes, 0);
  clock.increment(1000);
  assert.is(await breaker.execute(ok), 'ok');
  assert.is(breaker.state, 'closed');
  await breaker.stop();
});

test('hot path: successes in closed with zero failures cost no chart event', async () => {
  const { events, inspect } = receivedEvents();
  const breaker = createBreaker({ inspect });
  const before = events.length;
  for (let i = 0; i < 1000; i++) await breaker.execute(ok);
  assert.is(events.length, before);
  await rejects(breaker.execute(fail()), AgentNetworkError);
  await breaker.execute(ok);
  assert.equal(events.slice(before), ['call.failed', 'call.succeeded']);
  await breaker.stop();
});

test.run();
