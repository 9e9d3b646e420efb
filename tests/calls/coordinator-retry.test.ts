import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { AgentHttpStatusError, AllInstancesFailedError } from '../../errors/calls.js';
import { retryDelay } from '../../actors/calls/call-runner.js';
import { eventually } from '../helpers/ports.js';
import { rejects, startPeers, type CallsPeers } from './helpers/peers.js';

// Retry backoff here is 5 ms → 20 ms cap (startPeers), not the seed's 1 s, 2 s, 4 s.
let peers: CallsPeers;
test.before(async () => {
  // The background check brings the instance back into the rotation after a failure marked it unhealthy.
  peers = await startPeers(1, { breaker: { maxFailures: 100 }, registry: { healthCheckIntervalMs: 20, heartbeatTtlMs: 0 }, healthCheckTimeoutMs: 100 });
});
test.after(() => peers.close());

const only = () => peers.services[0]!;
const healthy = () => eventually(() => peers.coordinator.registry.getInstance('s0')?.status === 'healthy', 's0 healthy', 2000);

test('network errors are retried until the instance answers', async () => {
  await only().down();
  const call = peers.coordinator.executeAgentWithRetry('agents', 'echo', { task: 'r' }, 50);
  await new Promise((resolve) => setTimeout(resolve, 30));
  await only().up();
  const output = await call;
  assert.is(output.result, 'r');
  assert.ok(peers.coordinator.counters().retries >= 1);
});

test('retries stop after maxRetries with the last error', async () => {
  await only().down();
  const retries = peers.coordinator.counters().retries;
  const error = await rejects(peers.coordinator.executeAgentWithRetry('agents', 'echo', { task: 'r' }, 2), Error);
  assert.is(peers.coordinator.counters().retries - retries, 2);
  assert.ok(['SW_NO_HEALTHY_INSTANCE', 'SW_ALL_INSTANCES_FAILED'].includes((error as { code?: string }).code ?? ''), String(error));
  await only().up();
  await healthy();
});

test('a 4xx and a 5xx without Retry-After are not retried', async () => {
  const calls = only().stats.calls;
  await rejects(peers.coordinator.executeAgentWithRetry('agents', 'fail', { task: 'x', context: { status: 404 } }, 3), AgentHttpStatusError);
  assert.is(only().stats.calls - calls, 1);
  await rejects(peers.coordinator.executeAgentWithRetry('agents', 'fail', { task: 'x', context: { status: 500 } }, 3), AllInstancesFailedError);
  assert.is(only().stats.calls - calls, 2);
  await healthy();
});

test('Retry-After is honoured over the backoff', async () => {
  // delay-seconds is a whole number (RFC 9110); the shared parser ignores fractions like 0.25.
  only().failNext(1, 503, 1);
  const started = Date.now();
  const output = await peers.coordinator.executeAgentWithRetry('agents', 'echo', { task: 'late' }, 3);
  assert.is(output.result, 'late');
  assert.ok(Date.now() - started >= 990, `waited ${Date.now() - started} ms`);
});

test('the retry decision: network trouble and Retry-After only', () => {
  const all = (codes: string[], retryAfterMs?: number) =>
    new AllInstancesFailedError('s', 'a', codes.map((code) => ({ instanceId: 'i', code, message: '', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })), null);
  assert.is(retryDelay(all(['SW_AGENT_NETWORK', 'SW_CIRCUIT_OPEN'])), undefined);
  assert.is(retryDelay(all(['SW_AGENT_NETWORK', 'SW_AGENT_HTTP_STATUS'])), null);
  assert.is(retryDelay(all(['SW_AGENT_HTTP_STATUS'], 2000)), 2000);
  assert.is(retryDelay(new AgentHttpStatusError('e', '/p', 429, '', 500)), 500);
  assert.is(retryDelay(new AgentHttpStatusError('e', '/p', 429, '')), null);
  assert.is(retryDelay(new TypeError('bug')), null);
});

test.run();
