import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRunner, type Runner } from '../../actors/worker/worker.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import { ConfigError } from '../../errors/base.js';
import { JobTimeoutError } from '../../errors/worker.js';
import { settle } from '../helpers/model.js';
import { sleep } from '../helpers/ports.js';

/** Per-job timeouts on the embedded backend, time driven by SimulatedClock (no test sleeps for a timeout). */
const runners: Array<{ runner: Runner; clock: SimulatedClock }> = [];
test.after.each(async () => {
  for (const { runner, clock } of runners.splice(0)) {
    // A perform may still hang: the drain deadline (0 ms) is a timer of the simulated clock.
    const stopping = runner.stop({ deadlineMs: 0 }).catch(() => {});
    await settle(3);
    clock.increment(1);
    await stopping;
  }
});

function make(options: Parameters<typeof createRunner>[0] = {}) {
  const clock = new SimulatedClock();
  clock.set(1_000_000);
  const runner = createRunner({ clock, backend: memoryQueue(), retryDelayMs: () => 60_000, ...options });
  runners.push({ runner, clock });
  return { runner, clock };
}

/** A promise the test settles by hand: a perform that ignores its signal. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const storedError = async (runner: Runner, id: string) => JSON.parse((await runner.backend.get(id))!).error as string;

test('a perform past its timeout has its signal aborted with a JobTimeoutError and the job fails (then retries)', async () => {
  const { runner, clock } = make();
  const reasons: unknown[] = [];
  runner.registerWorker({
    name: 'slow',
    timeoutMs: 1000,
    perform: ({ signal }) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason);
          reject(signal.reason);
        });
      }),
  });
  const meta = await runner.declare({ name: 'slow' }, { retry: 3 });
  runner.start();
  await settle(10);
  clock.increment(999);
  await settle(10);
  assert.equal([runner.status().running, runner.status().failCount], [1, 0], 'not before its time');
  clock.increment(1);
  await settle(10);
  assert.is(reasons.length, 1);
  assert.instance(reasons[0], JobTimeoutError);
  const error = reasons[0] as JobTimeoutError;
  assert.is(error.code, 'SW_WORKER_JOB_TIMEOUT');
  assert.ok(error.message.includes(meta.id) && error.message.includes('"slow"') && error.message.includes('1000 ms'), error.message);
  const status = runner.status();
  assert.equal([status.execCount, status.failCount, status.timeoutCount, status.deadCount, status.running, status.overdue], [1, 1, 1, 0, 0, 0]);
  assert.is(await runner.backend.state(meta.id), 'waiting', 'retried per the retry policy');
  assert.is(await storedError(runner, meta.id), error.message);
  assert.is(JSON.parse((await runner.backend.get(meta.id))!).retryCount, 1);
});

test('a perform that ignores its signal: the job fails at the timeout, the slot stays taken until it settles, its late settlement is ignored', async () => {
  const { runner, clock } = make({ threads: 1 });
  const hung = gate();
  const ran: string[] = [];
  runner.registerWorker<string>({
    name: 'w',
    timeoutMs: 1000,
    perform: ({ payload }) => {
      ran.push(payload);
      return payload === 'hang' ? hung.promise : undefined;
    },
  });
  const [a] = await runner.declareMany([{ name: 'w', payload: 'hang' }, { name: 'w', payload: 'next' }]);
  runner.start();
  await settle(10);
  assert.equal(ran, ['hang']);
  clock.increment(1000);
  await settle(10);
  assert.is(await runner.backend.state(a!.id), 'waiting', 'failed at once, not when perform settles');
  assert.ok((await storedError(runner, a!.id)).includes('timed out after 1000 ms'));
  assert.equal([runner.status().overdue, runner.status().running], [1, 1]);
  assert.equal(ran, ['hang'], 'threads: 1 holds: the next job waits for the slot');
  hung.open(); // the late success of a failed job
  await settle(10);
  assert.equal(ran, ['hang', 'next']);
  const counts = await runner.backend.counts();
  assert.equal([counts.completed, counts.failed], [1, 1], 'only "next" completed: no second acknowledgement of the timed-out job');
  assert.is(await runner.backend.state(a!.id), 'waiting');
  assert.equal([runner.status().execCount, runner.status().overdue, runner.status().running], [2, 0, 0]);
});

test('regression guard: a late settlement never acknowledges a later run of the same job', async () => {
  const { runner, clock } = make({ threads: 2, retryDelayMs: () => 0 });
  const runs = [gate(), gate()];
  let n = 0;
  runner.registerWorker({ name: 'w', timeoutMs: 1000, perform: () => runs[n++]!.promise });
  const meta = await runner.declare({ name: 'w' }, { retry: 5 });
  runner.start();
  await settle(10);
  clock.increment(1000); // run 1 times out; its retry is due at once
  await settle(10);
  for (let i = 0; i < 5 && n < 2; i++) {
    clock.increment(500); // idle wake-ups until the retry is pulled
    await settle(10);
  }
  assert.is(n, 2, 'the retry runs while run 1 still hangs');
  assert.is(await runner.backend.state(meta.id), 'working');
  runs[0]!.open(); // run 1 settles late
  await settle(10);
  assert.is(await runner.backend.state(meta.id), 'working', 'run 2 is not acknowledged by run 1');
  assert.is((await runner.backend.counts()).completed, 0);
  runs[1]!.open();
  await settle(10);
  assert.is(await runner.backend.state(meta.id), undefined);
  assert.is((await runner.backend.counts()).completed, 1);
});

test('retries used up: a timed-out job dies with the timeout error', async () => {
  const { runner, clock } = make();
  runner.registerWorker({ name: 'w', timeoutMs: 50, perform: () => gate().promise });
  const meta = await runner.declare({ name: 'w' }, { retry: 0 });
  runner.start();
  await settle(10);
  clock.increment(50);
  await settle(10);
  const dead = await runner.dead();
  assert.equal(dead.map((d) => d.id), [meta.id]);
  assert.ok(dead[0]!.error?.includes('timed out after 50 ms'), String(dead[0]!.error));
  assert.equal([runner.status().deadCount, runner.status().timeoutCount], [1, 1]);
});

test('jobTimeoutMs is the default of workers without their own; a worker\'s timeoutMs wins; Infinity opts out', async () => {
  const { runner, clock } = make({ jobTimeoutMs: 500 });
  for (const [name, timeoutMs] of [['default', undefined], ['own', 2000], ['unlimited', Infinity]] as const) {
    runner.registerWorker({ name, timeoutMs, perform: () => gate().promise });
  }
  const metas = await runner.declareMany(['default', 'own', 'unlimited'].map((name) => ({ name })));
  runner.start();
  await settle(10);
  const states = async () => Promise.all(metas.map((m) => runner.backend.state(m.id)));
  clock.increment(500);
  await settle(10);
  assert.equal(await states(), ['waiting', 'working', 'working']);
  clock.increment(1500);
  await settle(10);
  assert.equal(await states(), ['waiting', 'waiting', 'working']);
  clock.increment(50_000);
  await settle(10);
  assert.equal((await states())[2], 'working', 'no limit');
  assert.is(runner.counters!().worker_timeout_total, 2);
});

test('a synchronous or fast perform is not affected, and leaves no timer behind', async () => {
  const { runner, clock } = make({ jobTimeoutMs: 1000 });
  let runs = 0;
  runner.registerWorker<boolean>({ name: 'w', perform: ({ payload }) => (runs++, payload ? Promise.resolve() : undefined) });
  await runner.declareMany([true, false, true].map((payload) => ({ name: 'w', payload })));
  runner.start();
  await settle(10);
  clock.increment(5000);
  await settle(10);
  assert.is(runs, 3);
  assert.equal([(await runner.backend.counts()).completed, runner.status().timeoutCount, runner.status().failCount], [3, 0, 0]);
});

test('a drain does not wait for an overdue perform (its job failed already)', async () => {
  const { runner, clock } = make({ threads: 1, drainTimeoutMs: 600_000 });
  runner.registerWorker({ name: 'w', timeoutMs: 100, perform: () => gate().promise });
  await runner.declare({ name: 'w' });
  runner.start();
  await settle(10);
  clock.increment(100);
  await settle(10);
  assert.is(runner.status().overdue, 1);
  const stopped = await Promise.race([runner.stop().then(() => true), sleep(2000).then(() => false)]);
  assert.ok(stopped, 'stop() resolved without the drain deadline');
});

test('at the drain deadline a job with a timeout is aborted by the runner and handed back; its timeout never fires later', async () => {
  const { runner, clock } = make({ jobTimeoutMs: 5000 });
  const reasons: unknown[] = [];
  runner.registerWorker({
    name: 'w',
    perform: ({ signal }) => {
      signal.addEventListener('abort', () => reasons.push(signal.reason));
      return gate().promise; // ignores the abort
    },
  });
  const meta = await runner.declare({ name: 'w' });
  runner.start();
  await settle(10);
  const stopping = runner.stop({ deadlineMs: 1000 });
  await settle(5);
  clock.increment(1000);
  await stopping;
  assert.is(reasons.length, 1);
  assert.not.instance(reasons[0], JobTimeoutError);
  assert.is(await runner.backend.state(meta.id), 'ready', 'handed back');
  clock.increment(10_000);
  await settle(10);
  assert.equal([runner.status().timeoutCount, runner.status().failCount, reasons.length], [0, 0, 1]);
});

test('bad timeouts are a ConfigError naming the field', () => {
  for (const jobTimeoutMs of [0, -1, Number.NaN, 2 ** 31, '5s' as never]) {
    assert.throws(
      () => createRunner({ backend: memoryQueue(), jobTimeoutMs }),
      (error: unknown) => error instanceof ConfigError && error.details.field === 'jobTimeoutMs' && error.message.includes('jobTimeoutMs'),
      String(jobTimeoutMs),
    );
  }
  const { runner } = make();
  assert.throws(
    () => runner.registerWorker({ name: 'w', timeoutMs: -5, perform: () => {} }),
    (error: unknown) => error instanceof ConfigError && error.message.includes('timeoutMs of worker "w"'),
  );
});

test('dead jobs trimmed by the backend\'s retention show in status() and counters()', async () => {
  const { runner } = make({ backend: memoryQueue({ deadRetention: { maxJobs: 0 } }) });
  runner.registerWorker({ name: 'w', perform: () => Promise.reject(new Error('no')) });
  await runner.declareMany([{ name: 'w', options: { retry: 0 } }, { name: 'w', options: { retry: 0 } }]);
  runner.start();
  await settle(20);
  assert.equal([runner.status().deadCount, runner.status().deadTrimmed, runner.counters!().worker_dead_trimmed_total], [2, 2, 2]);
  assert.equal(await runner.dead(), []);
  assert.is((await runner.backend.counts()).deadTrimmed, 2);
});

test.run();
