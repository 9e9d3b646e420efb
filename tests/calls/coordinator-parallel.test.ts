import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { AllInstancesFailedError, NoHealthyInstanceError } from '../../errors/calls.js';
import type { AgentTask } from '../../actors/calls/coordinator.js';
import { startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(1);
});
test.after(() => peers.close());

const sleepTasks = (count: number, ms = 40): AgentTask[] =>
  Array.from({ length: count }, (_, i) => ({ service: 'agents', agent: 'sleep', input: { task: `p${i}`, context: { ms } } }));

test('executeParallel keeps at most maxConcurrency calls in flight, measured at the server', async () => {
  const server = peers.services[0]!;
  server.resetStats();
  const results = await peers.coordinator.executeParallel(sleepTasks(24), 4);
  assert.is(server.stats.peakInFlight, 4);
  assert.is(server.stats.calls, 24);
  assert.equal(results.map((r) => r.output?.result), sleepTasks(24).map((t) => t.input.task), 'results in task order');
});

test('executeParallel uses the coordinator cap by default and runs everything when under it', async () => {
  const server = peers.services[0]!;
  server.resetStats();
  await peers.coordinator.executeParallel(sleepTasks(12, 60));
  assert.is(server.stats.peakInFlight, 12, 'default cap 100 lets all 12 run at once');
});

test('every task gets its output or its error; one failure does not stop the others', async () => {
  const tasks: AgentTask[] = [
    { service: 'agents', agent: 'echo', input: { task: 'a' } },
    { service: 'agents', agent: 'fail', input: { task: 'b', context: { status: 500 } } },
    { service: 'agents', agent: 'echo', input: { task: 'c' } },
  ];
  peers.coordinator.registry.markHealthy('s0');
  const results = await peers.coordinator.executeParallel(tasks, 1);
  assert.is(results[0]!.output?.result, 'a');
  assert.instance(results[1]!.error, AllInstancesFailedError);
  assert.is(results[1]!.output, undefined);
  // One at a time: the 500 marked the only instance unhealthy, so the last task found none healthy.
  assert.instance(results[2]!.error, NoHealthyInstanceError);
  assert.is(results.length, 3);
});

test('the seed default cap of 100, measured at the server (pool wide enough not to be the limit)', async () => {
  const wide = await startPeers(1, { client: { requestTimeoutMs: 10_000, connections: 160 } });
  try {
    const server = wide.services[0]!;
    server.resetStats();
    // Long sleeps so every one of the first 100 is still in flight when the last of them arrives, even on a busy box.
    const results = await wide.coordinator.executeParallel(sleepTasks(110, 2500));
    assert.is(server.stats.peakInFlight, 100);
    assert.is(results.filter((r) => r.output !== undefined).length, 110);
  } finally {
    await wide.close();
  }
});

test('a cap that is not a number still runs every task (no result dropped as a hole)', async () => {
  peers.coordinator.registry.markHealthy('s0');
  for (const cap of [Number.NaN, 0, -3, 2.5]) {
    const results = await peers.coordinator.executeParallel(sleepTasks(5, 5), cap);
    assert.is(results.filter((r) => r !== undefined && r.output?.result !== undefined).length, 5, `cap ${cap}`);
  }
});

test.run();
