import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { CallsStoppedError, InvalidInstanceError } from '../../errors/calls.js';
import { rejects, startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(2);
});
test.after(() => peers.close());

test('one actor tree: the registry and a breaker per called endpoint are children of the coordinator', async () => {
  await peers.coordinator.executeAgent('agents', 'echo', { task: 'a' });
  await peers.coordinator.executeAgent('agents', 'echo', { task: 'b' });
  const children = Object.keys(peers.coordinator.actor.getSnapshot().children).sort();
  assert.equal(children, ['breaker:' + peers.services[0]!.url, 'breaker:' + peers.services[1]!.url, 'registry'].sort());
  assert.ok(peers.coordinator.actor.getSnapshot().hasTag('ready'));
  const status = peers.coordinator.status();
  assert.is(status.state, 'running');
  assert.equal(Object.values(status.breakers), ['closed', 'closed']);
  assert.is(status.registry.healthy, 2);
  const counters = peers.coordinator.counters();
  assert.is(counters.succeeded, 2);
  assert.is(counters.instances_healthy, 2);
});

test('bad registry input through the coordinator is a typed error and changes nothing', () => {
  try {
    peers.coordinator.registry.register({ id: 'x', service: 'agents', endpoint: 'http//nope' });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, InvalidInstanceError);
  }
  assert.is(peers.coordinator.registry.statistics().instances, 2);
});

test('drain lets in-flight calls finish, refuses new ones, and ends in stopped', async () => {
  const slow = peers.coordinator.executeAgent('agents', 'sleep', { task: 'slow', context: { ms: 80 } });
  const drained = peers.coordinator.drain();
  assert.not.ok(peers.coordinator.actor.getSnapshot().hasTag('ready'));
  await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 'late' }), CallsStoppedError);
  assert.is((await slow).result, 'slow');
  await drained;
  assert.is(peers.coordinator.actor.getSnapshot().status, 'done');
});

test.run();
