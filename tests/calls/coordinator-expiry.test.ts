import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { eventually, sleep } from '../helpers/ports.js';
import { startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
let beating: NodeJS.Timeout | undefined;
test.before(async () => {
  // Health checks off: only heartbeats keep an instance alive here.
  peers = await startPeers(2, { registry: { healthCheckIntervalMs: 0, heartbeatTtlMs: 300 } });
});
test.after(async () => {
  clearInterval(beating);
  await peers.close();
});

test('an instance that stops heartbeating expires and gets no more calls; a heartbeat brings it back', async () => {
  const { registry } = peers.coordinator;
  beating = setInterval(() => registry.heartbeat('s0'), 40);
  await eventually(() => registry.getInstance('s1')?.status === 'expired', 's1 to expire', 2000);
  assert.is(registry.getInstance('s0')?.status, 'healthy');
  const before = peers.services[1]!.stats.calls;
  for (let i = 0; i < 6; i++) assert.is((await peers.coordinator.executeAgent('agents', 'echo', { task: 'x' })).instance, 's0');
  assert.is(peers.services[1]!.stats.calls, before);
  registry.heartbeat('s1');
  assert.is(registry.getInstance('s1')?.status, 'healthy');
  const seen = new Set<unknown>();
  for (let i = 0; i < 4; i++) seen.add((await peers.coordinator.executeAgent('agents', 'echo', { task: 'y' })).instance);
  assert.ok(seen.has('s1'));
  clearInterval(beating);
  await sleep(400);
  assert.is(registry.statistics().expired, 2);
});

test.run();
