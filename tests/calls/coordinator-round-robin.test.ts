import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { NoHealthyInstanceError } from '../../errors/calls.js';
import { rejects, startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(3);
});
test.after(() => peers.close());

test('calls spread round-robin over the healthy instances, evenly', async () => {
  const seen: string[] = [];
  for (let i = 0; i < 30; i++) {
    const output = await peers.coordinator.executeAgent('agents', 'echo', { task: `t${i}` });
    seen.push(String(output.instance));
  }
  assert.equal(seen.slice(0, 3), ['s0', 's1', 's2']);
  assert.equal(peers.services.map((s) => s.stats.calls), [10, 10, 10]);
});

test('an unhealthy instance gets no calls; marked healthy, it is back in the rotation', async () => {
  peers.coordinator.registry.markUnhealthy('s1');
  for (let i = 0; i < 10; i++) await peers.coordinator.executeAgent('agents', 'echo', { task: 'x' });
  assert.is(peers.services[1]!.stats.calls, 10);
  peers.coordinator.registry.markHealthy('s1');
  for (let i = 0; i < 9; i++) await peers.coordinator.executeAgent('agents', 'echo', { task: 'x' });
  assert.is(peers.services[1]!.stats.calls, 13);
});

test('only instances that serve the agent are candidates; none is a typed error', async () => {
  peers.coordinator.registry.register({ id: 'reports-1', service: 'reports', endpoint: peers.services[2]!.url, agents: ['echo'] });
  const output = await peers.coordinator.executeAgent('reports', 'echo', { task: 'r' });
  assert.is(output.instance, 's2');
  await rejects(peers.coordinator.executeAgent('reports', 'sleep', { task: 'r' }), NoHealthyInstanceError);
  await rejects(peers.coordinator.executeAgent('nobody', 'echo', { task: 'r' }), NoHealthyInstanceError);
});

test.run();
