import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRunner } from '../../actors/worker/worker.js';
import { Acknowledger } from '../../actors/worker/acks.js';
import { silentLogger } from '../../adapters/logger.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import { realTimers } from '../../actors/worker/timeout.js';
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
  const acks = new Acknowledger(backend, 'r1', () => 0, realTimers, silentLogger);
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
  const acks = new Acknowledger(backend, 'r1', () => 0, realTimers, silentLogger);
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
  const clock = new SimulatedClock();
  const runner = createRunner({ backend, clock });
  runner.registerWorker({ name: 'w', perform: () => {} });
  await runner.declare({ name: 'w' });
  state.down = true;
  runner.start();
  await settle(10);
  assert.is(runner.status().execCount, 1);
  // 5 s of retries on the runner's clock (its backoff timers and its budget), then unregister hands the job back.
  let stopped = false;
  const stopping = runner.stop({ deadlineMs: 0 }).then(() => (stopped = true));
  for (let ms = 0; ms < 8000 && !stopped; ms += 250) {
    clock.increment(250);
    await settle(3);
  }
  await stopping;
  assert.ok(state.completeCalls > 3, `retried on the simulated clock (${state.completeCalls} calls)`);
  assert.is((await backend.counts()).low, 1, 'the unacknowledged job is ready again');
  const calls = state.completeCalls;
  await settle(3);
  assert.is(timeouts(), before, 'no retry timer left behind');
  await sleep(300);
  assert.is(state.completeCalls, calls, 'no acknowledgement retried after stop');
});

test('regression: stop() while acknowledgements fail never blocks the event loop (no busy wait once the release timed out)', async () => {
  const { backend, state } = flaky();
  const runner = createRunner({ backend, releaseTimeoutMs: 300 });
  runner.registerWorker({ name: 'w', perform: () => {} });
  state.down = true;
  await runner.declare({ name: 'w' });
  runner.start();
  await sleep(30);
  assert.is(runner.status().execCount, 1);
  let worst = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const at = performance.now();
    worst = Math.max(worst, at - last - 10);
    last = at;
  }, 10);
  const began = performance.now();
  await runner.stop({ deadlineMs: 0 });
  const stopMs = performance.now() - began;
  await sleep(1500); // the old flushAll spun here until its 5 s wall-clock budget ran out
  clearInterval(probe);
  assert.ok(stopMs < 1000, `stop() returned after the release timeout (${stopMs.toFixed(0)} ms)`);
  assert.ok(worst < 50, `the event loop never waited more than 50 ms (worst ${worst.toFixed(1)} ms)`);
});

test('more than one batch of acknowledgements goes out in slices, all of them', async () => {
  const { backend, state } = flaky();
  const acks = new Acknowledger(backend, 'r1', () => 0, realTimers, silentLogger);
  acks.acks.push(...Array.from({ length: 12_000 }, (_, i) => `j${i}`));
  await acks.flushAll(Date.now() + 5000);
  assert.is(state.completeCalls, 3);
  assert.is(state.completed.length, 12_000);
  acks.close();
});

test.run();
