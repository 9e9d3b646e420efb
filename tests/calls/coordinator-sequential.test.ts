import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SequentialStepError, AgentHttpStatusError } from '../../errors/calls.js';
import { startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(2);
});
test.after(() => peers.close());

test('each step receives the previous step output as context.previous_output', async () => {
  const results = await peers.coordinator.executeSequential([
    { service: 'agents', agent: 'echo', input: { task: 'get_user', context: { user_id: '123' } } },
    { service: 'agents', agent: 'echo', input: { task: 'get_orders' } },
    { service: 'agents', agent: 'echo', input: { task: 'total', context: { currency: 'EUR' } } },
  ]);
  assert.is(results.length, 3);
  const second = results[1]!.output!;
  assert.equal((second.context as Record<string, unknown>).previous_output, results[0]!.output);
  const third = results[2]!.output!.context as Record<string, unknown>;
  assert.is(third.currency, 'EUR');
  assert.equal(third.previous_output, second);
});

test('the pipeline stops at the first failure and says which step', async () => {
  const before = peers.services.reduce((n, s) => n + s.stats.calls, 0);
  try {
    await peers.coordinator.executeSequential([
      { service: 'agents', agent: 'echo', input: { task: 'one' } },
      { service: 'agents', agent: 'fail', input: { task: 'two', context: { status: 409 } } },
      { service: 'agents', agent: 'echo', input: { task: 'three' } },
    ]);
    assert.unreachable('should have failed');
  } catch (error) {
    assert.instance(error, SequentialStepError);
    const step = error as SequentialStepError;
    assert.is(step.index, 1);
    assert.is(step.results.length, 1);
    assert.instance(step.cause, AgentHttpStatusError);
  }
  assert.is(peers.services.reduce((n, s) => n + s.stats.calls, 0) - before, 2, 'step three never ran');
});

test.run();
