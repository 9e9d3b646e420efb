import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createBreaker } from '../../actors/calls/breaker.js';
import { countsAsFailure } from '../../actors/calls/failure-policy.js';
import { createRegistry } from '../../actors/calls/registry.js';
import { CallRunner, RETRY_DEFAULTS, type AgentTask, type CallDeps } from '../../actors/calls/call-runner.js';
import { AgentHttpStatusError, AgentNetworkError, AgentTimeoutError, CallTimeoutError, ErrCircuitOpen, ErrTooManyRequests, InvalidAgentInputError, SequentialStepError } from '../../errors/calls.js';
import type { AgentClient } from '../../adapters/calls/types.js';
import type { RegistryHandle } from '../../actors/calls/registry.js';
import { startPeers } from './helpers/peers.js';

// The seed's defaults are the spec: each is checked here by behaviour, not by reading a constant.

const netError = () => new AgentNetworkError('http://127.0.0.1:1', '/x', new Error('refused'));

test('breaker defaults: opens after 5 failures, halfOpen after 60 s, one probe at a time', async () => {
  const clock = new SimulatedClock();
  const breaker = createBreaker({ clock });
  for (let i = 0; i < 4; i++) await breaker.execute(() => Promise.reject(netError())).catch(() => undefined);
  assert.is(breaker.state, 'closed');
  await breaker.execute(() => Promise.reject(netError())).catch(() => undefined);
  assert.is(breaker.state, 'open');
  await breaker.execute(async () => 1).then(
    () => assert.unreachable('open must refuse'),
    (error: unknown) => assert.instance(error, ErrCircuitOpen),
  );
  clock.increment(59_999);
  assert.is(breaker.state, 'open');
  clock.increment(1);
  assert.is(breaker.state, 'halfOpen');
  let release!: () => void;
  const probe = breaker.execute(() => new Promise<void>((resolve) => (release = resolve)));
  await breaker.execute(async () => 1).then(
    () => assert.unreachable('a second probe must be refused'),
    (error: unknown) => assert.instance(error, ErrTooManyRequests),
  );
  release();
  await probe;
  assert.is(breaker.state, 'closed');
  await breaker.stop();
});

test('a bare breaker counts every error (the seed\'s Execute(fn func() error), opossum, cockatiel handleAll)', async () => {
  const breaker = createBreaker();
  for (const error of [new TypeError('a bug'), new Error('plain'), 'a string', new AgentHttpStatusError('e', '/p', 404, '')]) {
    await breaker.execute(() => Promise.reject(error)).catch(() => undefined);
  }
  assert.is(breaker.failures, 4);
  await breaker.execute(() => Promise.reject(new Error('fifth'))).catch(() => undefined);
  assert.is(breaker.state, 'open');
  await breaker.stop();
});

test('the coordinator keeps the agent calls\' predicate: 4xx answers from a real peer never open its breaker, 5xx do', async () => {
  // maxFailures 1: a single counted failure would open it.
  const peers = await startPeers(1, { breaker: { maxFailures: 1, timeoutMs: 60_000 } });
  try {
    const { coordinator, services } = peers;
    const url = services[0]!.url;
    for (let i = 0; i < 4; i++) await coordinator.executeAgent('agents', 'fail', { task: 'x', context: { status: 404 } }).catch(() => undefined);
    assert.is(coordinator.breaker(url)?.state, 'closed');
    services[0]!.failNext(1, 503);
    await coordinator.executeAgent('agents', 'echo', { task: 'x' }).catch(() => undefined);
    assert.is(coordinator.breaker(url)?.state, 'open');
  } finally {
    await peers.close();
  }
});

test('the agent calls\' failure predicate (countsAsFailure): network errors, timeouts and 5xx count; 4xx and other errors do not', () => {
  assert.ok(countsAsFailure(netError()));
  assert.ok(countsAsFailure(new AgentTimeoutError('e', '/p', 10)));
  assert.ok(countsAsFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' })));
  assert.ok(countsAsFailure(new AgentHttpStatusError('e', '/p', 500, '')));
  assert.ok(countsAsFailure(new AgentHttpStatusError('e', '/p', 503, '')));
  assert.not.ok(countsAsFailure(new AgentHttpStatusError('e', '/p', 400, '')));
  assert.not.ok(countsAsFailure(new AgentHttpStatusError('e', '/p', 429, '')));
  assert.not.ok(countsAsFailure(new TypeError('a bug')));
  assert.ok(countsAsFailure(new CallTimeoutError('breaker', 10)), 'a breaker\'s own timeout is a timeout');
});

test('registry defaults: heartbeat TTL 30 s, health check every 10 s', async () => {
  const clock = new SimulatedClock();
  let pings = 0;
  const registry = createRegistry({
    clock,
    ping: async () => {
      pings++;
    },
  });
  registry.register({ id: 'a', service: 's', endpoint: 'http://127.0.0.1:1' });
  clock.increment(9_999);
  assert.is(pings, 0);
  clock.increment(1);
  assert.is(pings, 1);
  registry.deregister('a');
  registry.register({ id: 'b', service: 's', endpoint: 'http://127.0.0.1:2' });
  // Health checks renew the TTL like heartbeats do: turn them off to see the TTL alone.
  await registry.stop();

  const clock2 = new SimulatedClock();
  const quiet = createRegistry({ clock: clock2, healthCheckIntervalMs: 0 });
  quiet.register({ id: 'a', service: 's', endpoint: 'http://127.0.0.1:1' });
  clock2.increment(29_999);
  assert.is(quiet.getInstance('a')?.status, 'healthy');
  clock2.increment(1);
  assert.is(quiet.getInstance('a')?.status, 'expired');
  await quiet.stop();
});

/** A CallRunner over one fake instance whose client answers as `answer` says; sleeps are recorded, not slept. */
function runner(answer: () => Promise<Record<string, unknown>>, deps: Partial<CallDeps> = {}) {
  const sleeps: number[] = [];
  const instance = { id: 'i', service: 's', endpoint: 'http://127.0.0.1:1', agents: [], metadata: {}, status: 'healthy' };
  const registry = { getHealthyInstances: () => [instance], markHealthy: () => undefined, markUnhealthy: () => undefined } as unknown as RegistryHandle;
  const client = { executeAgent: answer } as unknown as AgentClient;
  const calls = new CallRunner({
    registry,
    client,
    retry: {},
    maxConcurrency: 100,
    random: () => 0.999_999,
    sleep: async (ms) => {
      sleeps.push(Math.round(ms));
    },
    admit: () => undefined,
    ...deps,
  });
  return { calls, sleeps };
}

test('retry defaults: exponential 1 s, 2 s, 4 s… (full jitter below each), capped at 30 s', async () => {
  assert.equal([RETRY_DEFAULTS.initialMs, RETRY_DEFAULTS.factor, RETRY_DEFAULTS.maxMs], [1000, 2, 30_000]);
  const { calls, sleeps } = runner(() => Promise.reject(netError()));
  await calls.executeAgentWithRetry('s', 'a', { task: 't' }, 7).catch(() => undefined);
  assert.equal(sleeps, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  const jittered = runner(() => Promise.reject(netError()), { random: () => 0.25 });
  await jittered.calls.executeAgentWithRetry('s', 'a', { task: 't' }).catch(() => undefined);
  assert.equal(jittered.sleeps, [250, 500, 1000], 'full jitter: uniform below the exponential step; default maxRetries 3');
});

test('maxRetries that is not a number means the default (3), not endless retries; negative means none', async () => {
  const nan = runner(() => Promise.reject(netError()));
  await nan.calls.executeAgentWithRetry('s', 'a', { task: 't' }, Number.NaN).catch(() => undefined);
  assert.is(nan.sleeps.length, 3);
  const negative = runner(() => Promise.reject(netError()));
  await negative.calls.executeAgentWithRetry('s', 'a', { task: 't' }, -2).catch(() => undefined);
  assert.is(negative.sleeps.length, 0);
});

test('malformed tasks are typed errors in parallel results and stop a sequence at their step', async () => {
  const { calls } = runner(async () => ({ ok: true }));
  const bad = [null, { service: 's', agent: 'a' }, { service: 1, agent: 'a', input: { task: 't' } }] as unknown as AgentTask[];
  const results = await calls.executeParallel([{ service: 's', agent: 'a', input: { task: 'fine' } }, ...bad]);
  assert.is(results[0]!.output?.ok, true);
  for (const result of results.slice(1)) assert.instance(result.error, InvalidAgentInputError);
  for (const [index, task] of bad.entries()) {
    try {
      await calls.executeSequential([{ service: 's', agent: 'a', input: { task: 'first' } }, task]);
      assert.unreachable(`task ${index} should stop the sequence`);
    } catch (error) {
      assert.instance(error, SequentialStepError);
      assert.is((error as SequentialStepError).index, 1);
      assert.instance((error as SequentialStepError).cause, InvalidAgentInputError);
    }
  }
});

test('executeParallel: the runner default cap (100) holds with 250 tasks, every result kept', async () => {
  let inFlight = 0;
  let peak = 0;
  const { calls } = runner(async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    return { ok: true };
  });
  const tasks = Array.from({ length: 250 }, (_, i) => ({ service: 's', agent: 'a', input: { task: `t${i}` } }));
  const results = await calls.executeParallel(tasks);
  assert.is(peak, 100);
  assert.is(results.filter((r) => r.output?.ok === true).length, 250);
});

test.run();
