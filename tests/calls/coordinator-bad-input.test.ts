import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createAgentClient } from '../../actors/calls/agent-client.js';
import { InvalidAgentInputError } from '../../errors/calls.js';
import type { AgentInput } from '../../adapters/calls/types.js';
import { rejects, startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(3, { breaker: { maxFailures: 1 } });
  await peers.coordinator.executeParallel(peers.services.map(() => ({ service: 'agents', agent: 'echo', input: { task: 'warm' } })), 1);
});
test.after(() => peers.close());

const calls = () => peers.services.reduce((sum, s) => sum + s.stats.calls, 0);
const untouched = () => {
  assert.is(peers.coordinator.registry.statistics().healthy, 3, 'no instance marked unhealthy');
  for (const service of peers.services) {
    const breaker = peers.coordinator.breaker(service.url)!;
    assert.equal([breaker.state, breaker.failures], ['closed', 0], service.url);
  }
};

test('an input that is not JSON (a cycle, a BigInt) is a typed error: no request, no failover, nobody unhealthy', async () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const before = calls();
  const error = await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 'x', context: cyclic }), InvalidAgentInputError);
  assert.is((error as InvalidAgentInputError).code, 'SW_INVALID_AGENT_INPUT');
  await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 'x', context: { n: 10n } }), InvalidAgentInputError);
  await rejects(peers.coordinator.executeAgentWithRetry('agents', 'echo', { task: 'x', context: cyclic }, 3), InvalidAgentInputError);
  assert.is(calls(), before, 'nothing was sent');
  assert.is(peers.coordinator.counters().retries, 0, 'bad input is not retried');
  untouched();
});

test('a task that is not a string or a context that is not an object is refused the same way', async () => {
  await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 42 } as unknown as AgentInput), InvalidAgentInputError);
  await rejects(peers.coordinator.executeAgent('agents', 'echo', null as unknown as AgentInput), InvalidAgentInputError);
  await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 'x', context: 'nope' } as unknown as AgentInput), InvalidAgentInputError);
  const results = await peers.coordinator.executeParallel([
    { service: 'agents', agent: 'echo', input: { task: 'fine' } },
    { service: 'agents', agent: 'echo', input: { task: 7 } as unknown as AgentInput },
  ]);
  assert.is(results[0]!.output?.result, 'fine');
  assert.instance(results[1]!.error, InvalidAgentInputError);
  untouched();
});

test('bad input on a halfOpen breaker is no probe: the circuit stays half-open, its probe slot free', async () => {
  const clock = new SimulatedClock();
  const client = createAgentClient({ clock, breaker: { maxFailures: 1, timeoutMs: 50 } });
  const dead = 'http://127.0.0.1:1';
  try {
    await client.executeAgent(dead, 'echo', { task: 'x' }).catch(() => undefined);
    assert.is(client.breaker(dead)!.state, 'open');
    clock.increment(50);
    assert.is(client.breaker(dead)!.state, 'halfOpen');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await rejects(client.executeAgent(dead, 'echo', { task: 'x', context: cyclic }), InvalidAgentInputError);
    assert.is(client.breaker(dead)!.state, 'halfOpen');
  } finally {
    await client.close();
  }
});

test.run();
