import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { AgentHttpStatusError, AllInstancesFailedError } from '../../errors/calls.js';
import { eventually } from '../helpers/ports.js';
import { rejects, startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
const changes: string[] = [];
test.before(async () => {
  peers = await startPeers(3, {
    registry: { healthCheckIntervalMs: 50, heartbeatTtlMs: 0 },
    healthCheckTimeoutMs: 200,
    client: { requestTimeoutMs: 200 },
    breaker: { maxFailures: 1, timeoutMs: 150, onStateChange: (endpoint, from, to) => changes.push(`${endpoint}:${from}>${to}`) },
  });
});
test.after(() => peers.close());

const healthyIds = () => peers.coordinator.registry.getHealthyInstances('agents').map((r) => r.id);

test('a dead instance: every call still succeeds on another one, and the dead one is marked unhealthy', async () => {
  const [, dead] = peers.services;
  await dead!.down();
  for (let i = 0; i < 12; i++) {
    const output = await peers.coordinator.executeAgent('agents', 'echo', { task: `t${i}` });
    assert.ok(output.instance === 's0' || output.instance === 's2');
  }
  assert.equal(healthyIds(), ['s0', 's2']);
  assert.is(peers.coordinator.counters().failovers, 1, 'one failover; then the instance is out of the rotation');
  assert.ok(changes.includes(`${dead!.url}:closed>open`), 'its breaker opened');
});

test('the dead instance returns: the background health check marks it healthy and its breaker closes on a probe', async () => {
  const [, dead] = peers.services;
  await dead!.up();
  await eventually(() => peers.coordinator.breaker(dead!.url)?.state === 'halfOpen', 'breaker halfOpen', 2000);
  await eventually(() => peers.coordinator.registry.getInstance('s1')?.status === 'healthy', 'the health check to mark s1 healthy', 2000);
  for (let i = 0; i < 3; i++) await peers.coordinator.executeAgent('agents', 'echo', { task: 'back' });
  assert.is(peers.coordinator.breaker(dead!.url)?.state, 'closed');
  assert.ok(dead!.stats.calls >= 1);
  assert.ok(changes.includes(`${dead!.url}:closed>open`) && changes.includes(`${dead!.url}:halfOpen>closed`), changes.join(' '));
});

test('an open breaker is a failover too, without calling the instance', async () => {
  const [first] = peers.services;
  peers.coordinator.breaker(first!.url)?.isolate();
  const before = first!.stats.calls;
  const failovers = peers.coordinator.counters().failovers;
  for (let i = 0; i < 6; i++) assert.ok((await peers.coordinator.executeAgent('agents', 'echo', { task: 'x' })).instance !== 's0');
  assert.is(first!.stats.calls, before);
  assert.ok(peers.coordinator.counters().failovers > failovers, 'the refused call failed over');
  peers.coordinator.breaker(first!.url)?.reset();
  await eventually(() => healthyIds().length === 3, 'all healthy again', 2000);
});

test('a 4xx is the caller fault: thrown at once, no failover, nobody marked unhealthy', async () => {
  const failovers = peers.coordinator.counters().failovers;
  const error = await rejects(peers.coordinator.executeAgent('agents', 'fail', { task: 'x', context: { status: 400 } }), AgentHttpStatusError);
  assert.is((error as AgentHttpStatusError).status, 400);
  assert.is(peers.coordinator.counters().failovers, failovers);
  assert.equal(healthyIds(), ['s0', 's1', 's2']);
});

test('every instance failing: AllInstancesFailedError lists each attempt once', async () => {
  for (const service of peers.services) service.failNext(1, 502);
  const error = await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 'x' }), AllInstancesFailedError);
  const attempts = (error as AllInstancesFailedError).details.attempts as Array<{ instanceId: string; code: string }>;
  assert.equal(attempts.map((a) => a.instanceId).sort(), ['s0', 's1', 's2']);
  assert.ok(attempts.every((a) => a.code === 'SW_AGENT_HTTP_STATUS'));
});

test('a hanging instance times out and the call fails over: the caller sees an answer', async () => {
  // The test before opened every breaker (maxFailures 1): start from closed ones.
  for (const service of peers.services) peers.coordinator.breaker(service.url)?.reset();
  await eventually(() => healthyIds().length === 3, 'all healthy', 2000);
  const [hung] = peers.services;
  hung!.hang(true);
  try {
    const answers = new Set<unknown>();
    for (let i = 0; i < 3; i++) answers.add((await peers.coordinator.executeAgent('agents', 'echo', { task: 'h' })).instance);
    assert.not.ok(answers.has('s0'));
  } finally {
    hung!.hang(false);
  }
});

test.run();
