import { test } from './helpers/uvu.js';
import { receivedEvents } from './helpers/events.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createBreaker, type CallContext } from '../../actors/calls/breaker.js';
import { createAgentClient } from '../../actors/calls/agent-client.js';
import { startAgentService } from '../../examples/peers/agent-service.js';
import { CallTimeoutError, ErrCircuitOpen } from '../../errors/calls.js';
import { settle } from '../helpers/model.js';
import { eventually } from '../helpers/ports.js';

// The per-call timeout (cockatiel's timeout policy, opossum's `timeout`): on the breaker's clock,
// the caller rejected at the deadline, fn's signal aborted, and the chart told `call.timedOut`.

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => error,
  );
}

test('a call still running at callTimeoutMs rejects with CallTimeoutError and its signal aborts with the same error', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, callTimeoutMs: 100, maxFailures: 3 });
  let signal!: AbortSignal;
  const call = outcome(breaker.execute(({ signal: s }) => ((signal = s), new Promise(() => {}))));
  clock.increment(99);
  await settle(1);
  assert.is(signal.aborted, false);
  clock.increment(1);
  const error = await call;
  assert.instance(error, CallTimeoutError);
  assert.is((error as CallTimeoutError).code, 'SW_CALL_TIMEOUT');
  assert.ok(signal.aborted);
  assert.is(signal.reason, error);
  assert.is(breaker.failures, 1);
  assert.equal(breaker.counters().timed_out, 1);
  await breaker.stop();
});

test('a timeout counts as a failure whatever isFailure says, and maxFailures of them open the circuit', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, callTimeoutMs: 50, maxFailures: 2, isFailure: () => false });
  for (let i = 0; i < 2; i++) {
    const call = outcome(breaker.execute(() => new Promise(() => {})));
    clock.increment(50);
    assert.instance(await call, CallTimeoutError);
  }
  assert.is(breaker.state, 'open');
  assert.equal(breaker.status().lastError?.code, 'SW_CALL_TIMEOUT');
  await breaker.stop();
});

test('fn settling after its deadline changes nothing; one settling before clears its timer (no late timeout)', async () => {
  const clock = new SimulatedClock();
  const { events, inspect } = receivedEvents();
  const breaker = createBreaker({ clock, callTimeoutMs: 100, inspect });
  let late!: (value: string) => void;
  const slow = outcome(breaker.execute(() => new Promise<string>((resolve) => (late = resolve))));
  clock.increment(100);
  assert.instance(await slow, CallTimeoutError);
  const before = events.length;
  late('too late');
  await settle();
  assert.equal(events.slice(before), [], 'the late result sent nothing');

  breaker.reset();
  const fast = await breaker.execute(async () => 'fast');
  assert.is(fast, 'fast');
  const quiet = events.length;
  clock.increment(1000);
  await settle();
  assert.equal(events.slice(quiet), [], 'no timer outlived the fast call');
  assert.is(breaker.failures, 0);
  await breaker.stop();
});

test('a probe that times out opens the circuit again; the signal handed with no timeout never aborts', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, callTimeoutMs: 100, maxFailures: 1, timeoutMs: 1000 });
  const first = outcome(breaker.execute(() => new Promise(() => {})));
  clock.increment(100);
  await first;
  assert.is(breaker.state, 'open');
  clock.increment(1000);
  assert.is(breaker.state, 'halfOpen');
  const probe = outcome(breaker.execute(() => new Promise(() => {})));
  clock.increment(100);
  assert.instance(await probe, CallTimeoutError);
  assert.is(breaker.state, 'open');
  await breaker.stop();

  const untimed = createBreaker({ clock });
  let seen!: AbortSignal;
  await untimed.execute(({ signal }: CallContext) => {
    seen = signal;
  });
  assert.is(seen.aborted, false);
  await untimed.stop();
});

test('a signal first read after the deadline comes already aborted (the controller is made lazily)', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock, callTimeoutMs: 10 });
  let context!: CallContext;
  const call = outcome(breaker.execute((c) => ((context = c), new Promise(() => {}))));
  clock.increment(10);
  const error = await call;
  assert.ok(context.signal.aborted);
  assert.is(context.signal.reason, error);
  await breaker.stop();
});

test('real peer: the agent client with callTimeoutMs gives up a slow request (its connection closes), counts it, and opens the endpoint\'s breaker', async () => {
  const service = await startAgentService({ name: 'slow' });
  const client = createAgentClient({ requestTimeoutMs: 5000, breaker: { callTimeoutMs: 80, maxFailures: 2, timeoutMs: 60_000 } });
  try {
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      // The sleep agent answers after 3 s; the breaker gives up after 80 ms.
      assert.instance(await outcome(client.executeAgent(service.url, 'sleep', { task: 'x', context: { ms: 3000 } })), CallTimeoutError);
      assert.ok(Date.now() - started < 1000, 'rejected at the breaker deadline, not the 5 s request timeout');
    }
    assert.is(client.breaker(service.url)?.state, 'open');
    assert.instance(await outcome(client.executeAgent(service.url, 'echo', { task: 'x' })), ErrCircuitOpen);
    // The signal reached the HTTP request: both were cut from our side, long before the agent answered.
    await eventually(() => service.stats.inFlight === 0, 'the abandoned requests closed', 1500);
    assert.is(service.stats.calls, 2);
  } finally {
    await client.close();
    await service.close();
  }
});

test.run();
