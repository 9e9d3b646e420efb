import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRunner } from '../../actors/worker/worker.js';
import { Acknowledger } from '../../actors/worker/acks.js';
import { silentLogger } from '../../adapters/logger.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import type { QueueBackend } from '../../adapters/worker/types.js';
import { settle } from '../helpers/model.js';
import { sleep } from '../helpers/ports.js';

/** The runner's batched acknowledgements, against a memory backend whose writes can be made to fail. */
function flaky() {
  const backend = memoryQueue();
  const state = { down: false, completeCalls: 0, completed: [] as string[] };
  const wrapped: QueueBackend = {
    ...backend,
    async complete(runnerId, ids) {
      state.completeCalls++;
      if (state.down) throw new Error('backend down');
      state.completed.push(...ids);
      return backend.complete(runnerId, ids);
    },
    async fail(runnerId, failures, now) {
      if (state.down && failures.length) throw new Error('backend down');
      return backend.fail(runnerId, failures, now);
    },
  };
  return { backend: wrapped, state };
}

const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test('a failed flush keeps its ids (still pending, retried) until the backend takes them', async () => {
  const { backend, state } = flaky();
  const acks = new Acknowledger(backend, 'r1', () => 0, silentLogger);
  state.down = true;
  acks.acks.push('a', 'b');
  await acks.flush();
  assert.ok(state.completeCalls >= 1);
  assert.ok(acks.has('a') && acks.has('b'), 'kept after the failure');
  assert.is(acks.pending, 2);
  state.down = false;
  await acks.flushAll(Date.now() + 5000);
  assert.equal(state.completed, ['a', 'b']);
  assert.is(acks.pending, 0);
  assert.is(acks.lastError, 'backend down');
  acks.close();
});

test('regression: after close() a backend that stays down leaves no retry timer and gets no more calls', async () => {
  const { backend, state } = flaky();
  const before = timeouts();
  const acks = new Acknowledger(backend, 'r1', () => 0, silentLogger);
  state.down = true;
  acks.acks.push('a');
  acks.schedule();
  await sleep(20);
  assert.ok(state.completeCalls >= 1, 'tried');
  acks.close();
  const calls = state.completeCalls;
  await sleep(10);
  assert.is(timeouts(), before, 'no timer left behind');
  await sleep(150);
  assert.is(state.completeCalls, calls, 'no retry after close');
  acks.schedule();
  await sleep(5);
  assert.is(state.completeCalls, calls, 'nothing scheduled after close');
});

test('regression: a runner stopped while its acknowledgements fail gives up after its flush budget and leaves no timer running', async () => {
  const { backend, state } = flaky();
  const before = timeouts();
  const runner = createRunner({ backend, clock: new SimulatedClock() });
  runner.registerWorker({ name: 'w', perform: () => {} });
  await runner.declare({ name: 'w' });
  state.down = true;
  runner.start();
  await settle(10);
  assert.is(runner.status().execCount, 1);
  await runner.stop({ deadlineMs: 0 }); // ~5 s of retries, then unregister hands the job back
  assert.is((await backend.counts()).low, 1, 'the unacknowledged job is ready again');
  const calls = state.completeCalls;
  await settle(3);
  assert.is(timeouts(), before, 'no retry timer left behind');
  await sleep(300);
  assert.is(state.completeCalls, calls, 'no acknowledgement retried after stop');
});

test('more than one batch of acknowledgements goes out in slices, all of them', async () => {
  const { backend, state } = flaky();
  const acks = new Acknowledger(backend, 'r1', () => 0, silentLogger);
  acks.acks.push(...Array.from({ length: 12_000 }, (_, i) => `j${i}`));
  await acks.flushAll(Date.now() + 5000);
  assert.is(state.completeCalls, 3);
  assert.is(state.completed.length, 12_000);
  acks.close();
});

test.run();
