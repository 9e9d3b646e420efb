import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRunner } from '../../actors/worker/worker.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import type { QueueBackend } from '../../adapters/worker/types.js';
import { eventually, sleep } from '../helpers/ports.js';

/** Edges of stopping and of the backend port found by review; real time, each bounded well under a second or two. */

test('a stop whose release times out still stops running jobs and disarms their timeouts (a timer fired after stop() returned)', async () => {
  const inner = memoryQueue();
  let pulls = 0;
  // The second pull never answers (a paused Redis): the release waits for it, then times out.
  const backend: QueueBackend = { ...inner, pull: (...args) => (++pulls === 1 ? inner.pull(...args) : new Promise<never>(() => {})) };
  const runner = createRunner({ backend, threads: 4, releaseTimeoutMs: 100, jobTimeoutMs: 400, idlePollMs: 10, retryDelayMs: () => 60_000 });
  let signal: AbortSignal | undefined;
  let finish!: () => void;
  runner.registerWorker({
    name: 'w',
    perform: (ctx) => {
      signal = ctx.signal;
      return new Promise<void>((resolve) => (finish = resolve));
    },
  });
  await runner.declare({ name: 'w' });
  runner.start();
  await eventually(() => signal !== undefined && pulls >= 2, 'a job running and a pull hanging', 2000);
  await runner.stop({ deadlineMs: 0 });
  assert.ok(signal!.aborted, 'the running job was told to stop');
  await sleep(500); // past the job's 400 ms timeout
  const status = runner.status();
  assert.is(status.timeoutCount, 0, 'no job timed out after the runner stopped');
  assert.is((signal!.reason as { code?: string } | undefined)?.code === 'SW_WORKER_JOB_TIMEOUT', false);
  finish();
});

test('twenty running jobs with a timeout raise no MaxListenersExceededWarning on the runner signal', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  const runner = createRunner({ threads: 20, jobTimeoutMs: 60_000 });
  const gates: Array<() => void> = [];
  runner.registerWorker({ name: 'w', perform: () => new Promise<void>((resolve) => gates.push(resolve)) });
  try {
    for (let i = 0; i < 20; i++) await runner.declare({ name: 'w' });
    runner.start();
    await eventually(() => gates.length === 20, 'twenty performs running', 2000);
    await sleep(20); // warnings are emitted on the next tick
    assert.equal(warnings.filter((w) => w.includes('MaxListeners')), []);
  } finally {
    process.off('warning', onWarning);
    for (const open of gates) open();
    await runner.stop({ deadlineMs: 1000 });
  }
});

test('a backend written to the older port (fail resolves a number) leaves deadTrimmed at 0, not NaN', async () => {
  const inner = memoryQueue();
  const backend = { ...inner, fail: async (...args: Parameters<typeof inner.fail>) => (await inner.fail(...args)).moved } as unknown as QueueBackend;
  const runner = createRunner({ backend, retryDelayMs: () => 60_000, idlePollMs: 10 });
  runner.registerWorker({
    name: 'w',
    perform: async () => {
      throw new Error('boom');
    },
  });
  await runner.declare({ name: 'w' });
  runner.start();
  try {
    await eventually(() => runner.status().failCount === 1 && runner.status().pendingAcks === 0, 'the failure acknowledged', 2000);
    assert.is(runner.status().deadTrimmed, 0);
    assert.is(runner.counters?.().worker_dead_trimmed_total, 0);
  } finally {
    await runner.stop({ deadlineMs: 500 });
  }
});

test.run();
