import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRunner } from '../../actors/worker/worker.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import { RunnerStoppedError } from '../../errors/worker.js';
import { settle } from '../helpers/model.js';

/** Stopping as a host does it: drain() first, then stop() once the host's own deadline passed. */
function slowRunner() {
  const clock = new SimulatedClock();
  const backend = memoryQueue();
  const runner = createRunner({ clock, backend, threads: 2 });
  const aborted: number[] = [];
  runner.registerWorker<number>({
    name: 'w',
    perform: ({ payload, signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted.push(payload), resolve()))),
  });
  return { runner, backend, clock, aborted };
}

test('regression: stop() while a drain runs stops at once (the host deadline passed), not after the drain timeout', async () => {
  const { runner, backend, aborted } = slowRunner();
  await runner.declareMany([1, 2, 3].map((payload) => ({ name: 'w', payload })));
  runner.start();
  await settle(10);
  assert.is(runner.status().running, 2);
  const draining = runner.drain!(); // drainTimeoutMs: 10 s, on a clock nobody advances
  await settle(5);
  assert.ok(runner.actor.getSnapshot().matches({ draining: 'finishing' }));
  let stopped = false;
  const stopping = runner.stop().then(() => (stopped = true));
  await settle(20);
  assert.ok(stopped, 'stop() must not wait for the drain deadline');
  await Promise.all([draining, stopping]);
  assert.equal(aborted.sort(), [1, 2]);
  assert.is((await backend.counts()).low, 3, 'every unfinished job is ready again');
});

test('a second stop with a deadline during a drain keeps draining until the first deadline', async () => {
  const { runner, clock } = slowRunner();
  await runner.declare({ name: 'w', payload: 1 });
  runner.start();
  await settle(10);
  const first = runner.stop({ deadlineMs: 1000 });
  const second = runner.stop({ deadlineMs: 5000 });
  await settle(5);
  assert.ok(runner.actor.getSnapshot().matches({ draining: 'finishing' }));
  clock.increment(1000);
  await Promise.all([first, second]);
  assert.is(runner.actor.getSnapshot().status, 'done');
});

test('regression: a backend that never answers the release (Redis frozen) cannot hold stop() forever', async () => {
  const clock = new SimulatedClock();
  const backend = memoryQueue();
  const runner = createRunner({ clock, backend: { ...backend, unregister: () => new Promise<number>(() => {}) }, releaseTimeoutMs: 3000 });
  runner.registerWorker({ name: 'w', perform: () => {} });
  runner.start();
  await settle(10);
  let stopped = false;
  const stopping = runner.stop({ deadlineMs: 0 }).then(() => (stopped = true));
  await settle(10);
  assert.ok(runner.actor.getSnapshot().matches({ draining: 'releasing' }));
  clock.increment(2999);
  await settle(5);
  assert.not.ok(stopped);
  clock.increment(1);
  await stopping;
  assert.is(runner.actor.getSnapshot().status, 'done');
  assert.match(runner.status().lastError ?? '', /release timed out/);
});

test('declare() and declareMany() after stop() reject with RunnerStoppedError and queue nothing', async () => {
  const backend = memoryQueue();
  const runner = createRunner({ backend, clock: new SimulatedClock() });
  runner.registerWorker({ name: 'w', perform: () => {} });
  runner.start();
  await settle(5);
  await runner.stop({ deadlineMs: 0 });
  const refused = await runner.declare({ name: 'w', payload: 1 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(refused instanceof RunnerStoppedError, `typed error, got ${String(refused)}`);
  assert.is((refused as RunnerStoppedError).code, 'SW_WORKER_STOPPED');
  await runner.declareMany([{ name: 'w' }, { name: 'w' }]).then(
    () => assert.unreachable('declareMany after stop resolved'),
    (error: unknown) => assert.ok(error instanceof RunnerStoppedError),
  );
  const counts = await backend.counts();
  assert.equal([counts.high, counts.low, counts.waiting], [0, 0, 0], 'nothing queued into the stopped runner');
});

test.run();
