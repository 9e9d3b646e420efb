import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createCoordinator } from '../../actors/calls/coordinator.js';
import { startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(2);
});
test.after(() => peers.close());

const breakerChildren = () => Object.keys(peers.coordinator.actor.getSnapshot().children).filter((id) => id.startsWith('breaker:'));

test('a deregistered endpoint takes its breaker child and handle with it; registered again, it works afresh', async () => {
  const [, second] = peers.services;
  await peers.coordinator.executeAgent('agents', 'echo', { task: 'a' });
  await peers.coordinator.executeAgent('agents', 'echo', { task: 'b' });
  assert.is(breakerChildren().length, 2);
  peers.coordinator.registry.deregister('s1');
  assert.equal(breakerChildren(), [`breaker:${peers.services[0]!.url}`]);
  assert.is(peers.coordinator.breaker(second!.url), undefined);
  assert.is(peers.coordinator.client.breaker(second!.url), undefined);
  assert.equal(peers.coordinator.actor.getSnapshot().context.endpoints, [peers.services[0]!.url]);

  peers.coordinator.registry.register({ id: 's1', service: 'agents', endpoint: second!.url });
  const answers = new Set<unknown>();
  for (let i = 0; i < 4; i++) answers.add((await peers.coordinator.executeAgent('agents', 'echo', { task: 'c' })).instance);
  assert.ok(answers.has('s1'), 'the re-registered instance answers');
  assert.is(peers.coordinator.breaker(second!.url)?.state, 'closed');
  assert.is(breakerChildren().length, 2);
});

test('instances that come and go at ever new endpoints leave no breakers behind (bounded growth)', async () => {
  const base = peers.services[0]!.url;
  for (let i = 0; i < 30; i++) {
    const endpoint = `${base}/churn${i}`;
    peers.coordinator.registry.register({ id: `churn${i}`, service: 'churn', endpoint });
    // Any call creates the endpoint's breaker and pool (this path 404s: the answer does not matter).
    await peers.coordinator.client.listAgents(endpoint).catch(() => undefined);
    peers.coordinator.registry.deregister(`churn${i}`);
  }
  assert.is(breakerChildren().length, 2);
  assert.is(Object.keys(peers.coordinator.status().breakers).length, 2);
  assert.is(peers.coordinator.actor.getSnapshot().context.endpoints.length, 2);
});

test('a call that reaches an endpoint just after it left (late failover) leaves no breaker behind either', async () => {
  const endpoint = `${peers.services[0]!.url}/late`;
  peers.coordinator.registry.register({ id: 'late', service: 'late', endpoint });
  peers.coordinator.registry.deregister('late');
  await peers.coordinator.client.listAgents(endpoint).catch(() => undefined); // the late call
  assert.ok(peers.coordinator.breaker(endpoint), 'the late call made a breaker');
  peers.coordinator.registry.markUnhealthy('s0'); // any later registry change sweeps it
  peers.coordinator.registry.markHealthy('s0');
  assert.is(peers.coordinator.breaker(endpoint), undefined);
  assert.is(breakerChildren().length, 2);
});

test('an instance that dies without deregistering: expired, removed after the retention, and its breaker released', async () => {
  const clock = new SimulatedClock();
  const endpoint = peers.services[0]!.url;
  const coordinator = createCoordinator({
    clock,
    registry: { heartbeatTtlMs: 1000, expiredRetentionMs: 2000, healthCheckIntervalMs: 0 },
    instances: [{ id: 'ghost', service: 'ghosts', endpoint }],
  });
  try {
    await coordinator.executeAgent('ghosts', 'echo', { task: 'once' });
    assert.is(coordinator.breaker(endpoint)?.state, 'closed');
    clock.increment(1000);
    assert.is(coordinator.registry.getInstance('ghost')?.status, 'expired');
    assert.ok(coordinator.breaker(endpoint), 'kept while the instance may still come back');
    clock.increment(2000);
    assert.is(coordinator.registry.getInstance('ghost'), undefined);
    assert.is(coordinator.breaker(endpoint), undefined);
    assert.equal(Object.keys(coordinator.actor.getSnapshot().children), ['registry']);
  } finally {
    await coordinator.stop();
  }
});

test.run();
