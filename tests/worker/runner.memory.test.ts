import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRunner, type Runner } from '../../actors/worker/worker.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import { ConfigError } from '../../errors/base.js';
import { ErrWorkerNotRegistry, JobOptionsError, WorkerRegistrationClosedError } from '../../errors/worker.js';
import { settle } from '../helpers/model.js';

/** createRunner on the embedded backend, time driven by SimulatedClock: no test sleeps. */
const runners: Runner[] = [];
test.after.each(async () => {
  for (const runner of runners.splice(0)) await runner.stop({ deadlineMs: 0 }).catch(() => {});
});

function make(options: Parameters<typeof createRunner>[0] = {}) {
  const clock = new SimulatedClock();
  clock.set(1_000_000);
  const runner = createRunner({ clock, backend: memoryQueue(), ...options });
  runners.push(runner);
  return { runner, clock };
}

test('declaring for an unregistered worker, registering after start and bad options are typed errors', async () => {
  const { runner } = make();
  try {
    await runner.declare({ name: 'nobody' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ErrWorkerNotRegistry);
    assert.is((error as ErrWorkerNotRegistry).code, 'SW_WORKER_NOT_REGISTERED');
  }
  runner.registerWorker({ name: 'w', perform: () => {} });
  try {
    await runner.declare({ name: 'w' }, { queue: 'urgent' as never });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, JobOptionsError);
  }
  for (const id of ['', 42]) {
    // regression: a numeric id was stored, then its data failed to decode (id mismatch) and went dead
    try {
      await runner.declare({ name: 'w' }, { id: id as never });
      assert.unreachable();
    } catch (error) {
      assert.instance(error, JobOptionsError, `id ${JSON.stringify(id)}`);
    }
  }
  try {
    await runner.declare({ name: 'w', payload: { big: 1n } });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, JobOptionsError);
  }
  runner.start();
  assert.throws(() => runner.registerWorker({ name: 'late', perform: () => {} }), (error: unknown) => error instanceof WorkerRegistrationClosedError);
});

test('jobs run with their meta and payload, then are acknowledged', async () => {
  const { runner } = make({ threads: 2 });
  const seen: Array<[string, unknown, number]> = [];
  runner.registerWorker<{ n: number }>({ name: 'w', perform: async ({ meta, payload }) => void seen.push([meta.name, payload.n, meta.retryCount]) });
  const metas = await runner.declareMany([1, 2, 3].map((n) => ({ name: 'w', payload: { n } })));
  assert.equal(metas.map((m) => [m.queue, m.retry, m.performAt]), [['low', 13, null], ['low', 13, null], ['low', 13, null]]);
  runner.start();
  await settle(10);
  assert.equal(seen, [['w', 1, 0], ['w', 2, 0], ['w', 3, 0]]);
  assert.is(runner.status().execCount, 3);
  assert.is((await runner.backend.counts()).completed, 3);
  assert.is(await runner.queueLength('low'), 0);
});

test('a delayed job runs at its time, not before (the idle runner sleeps until it is due)', async () => {
  const { runner, clock } = make();
  let ranAt = 0;
  runner.registerWorker({ name: 'w', perform: () => void (ranAt = clock.now()) });
  await runner.declare({ name: 'w' }, { performAt: 1_000_000 + 5000 });
  runner.start();
  await settle(5);
  assert.is(ranAt, 0);
  assert.is(await runner.queueLength('waiting'), 1);
  clock.increment(4999);
  await settle(5);
  assert.is(ranAt, 0);
  clock.increment(1);
  await settle(10);
  assert.is(ranAt, 1_005_000);
});

test('a failing job retries with backoff, then goes dead with its error, and can be re-driven', async () => {
  const { runner, clock } = make({ retryDelayMs: (n) => n * 1000 });
  let runs = 0;
  let healthy = false;
  runner.registerWorker({
    name: 'w',
    perform: () => {
      runs++;
      if (!healthy) throw new Error(`boom ${runs}`);
    },
  });
  const meta = await runner.declare({ name: 'w' }, { retry: 1 });
  runner.start();
  await settle(10);
  assert.is(runs, 1);
  assert.is(await runner.queueLength('waiting'), 1);
  clock.increment(999);
  await settle(10);
  assert.is(runs, 1, 'not before the backoff');
  clock.increment(1);
  await settle(10);
  assert.is(runs, 2);
  const dead = await runner.dead();
  assert.is(dead.length, 1);
  assert.is(dead[0]!.id, meta.id);
  assert.is(dead[0]!.error, 'boom 2');
  assert.is(dead[0]!.job?.retryCount, 2);
  assert.equal([runner.status().failCount, runner.status().deadCount], [2, 1]);
  healthy = true;
  assert.ok(await runner.redrive(meta.id));
  await settle(10);
  assert.is(runs, 3);
  assert.is((await runner.dead()).length, 0);
  assert.is(await runner.backend.state(meta.id), undefined, 'done');
});

test('high jobs run before low ones', async () => {
  const { runner } = make({ threads: 1 });
  const order: string[] = [];
  runner.registerWorker<string>({ name: 'w', perform: ({ payload }) => void order.push(payload) });
  await runner.declareMany(['l1', 'l2', 'l3'].map((payload) => ({ name: 'w', payload })));
  await runner.declareMany(['h1', 'h2'].map((payload) => ({ name: 'w', payload, options: { queue: 'high' as const } })));
  runner.start();
  await settle(10);
  assert.equal(order, ['h1', 'h2', 'l1', 'l2', 'l3']);
});

test('stop drains: running jobs get until the deadline, then are aborted and handed back with the buffered ones', async () => {
  const backend = memoryQueue();
  const { runner, clock } = make({ threads: 2, backend });
  const aborted: string[] = [];
  runner.registerWorker<string>({
    name: 'w',
    perform: ({ payload, signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted.push(payload), resolve()))),
  });
  await runner.declareMany(['a', 'b', 'c', 'd'].map((payload) => ({ name: 'w', payload })));
  runner.start();
  await settle(10);
  assert.is(runner.status().running, 2);
  assert.is(runner.status().held, 4);
  const stopping = runner.stop({ deadlineMs: 1000 });
  await settle(5);
  assert.ok(runner.actor.getSnapshot().matches({ draining: 'finishing' }));
  clock.increment(1000);
  await stopping;
  assert.equal(aborted.sort(), ['a', 'b']);
  assert.is(await backend.counts().then((c) => c.low), 4, 'every unfinished job is ready again');
  assert.is((await backend.counts()).completed, 0);
});

test('regression: a drain longer than aliveTtlMs keeps heartbeating, so its running job is not recovered and run twice', async () => {
  const backend = memoryQueue();
  const { runner, clock } = make({ backend, threads: 1, aliveTtlMs: 3000, heartbeatEveryMs: 1000 });
  let finish = () => {};
  let runs = 0;
  runner.registerWorker({ name: 'w', perform: () => new Promise<void>((resolve) => ((runs++), (finish = resolve))) });
  await runner.declare({ name: 'w' });
  runner.start();
  await settle(10);
  assert.is(runner.status().running, 1);
  const stopping = runner.stop({ deadlineMs: 60_000 });
  for (let i = 0; i < 10; i++) {
    clock.increment(1000);
    await settle(5);
  }
  const recovered = await backend.recover(clock.now());
  const [id] = await backend.working(runner.runnerId);
  const state = await backend.state(id ?? '');
  finish();
  await stopping;
  assert.equal(recovered, { runners: [], jobs: 0 }, 'still alive 10 s into a 60 s drain');
  assert.is(state, 'working', 'its job was still its own');
  assert.is(runs, 1);
  assert.equal([(await backend.counts()).completed, (await backend.counts()).low], [1, 0]);
});

test('a runner restarted under the same id takes back what it left in its working set', async () => {
  const backend = memoryQueue();
  const { runner: first } = make({ backend, runnerId: 'fixed', threads: 1 });
  first.registerWorker({ name: 'w', perform: () => new Promise(() => {}) });
  await first.declareMany([1, 2, 3].map((payload) => ({ name: 'w', payload })));
  first.start();
  await settle(10);
  assert.equal((await backend.working('fixed')).length, 3);
  first.actor.stop(); // a crash: no drain, no unregister
  let ran = 0;
  const { runner: second } = make({ backend, runnerId: 'fixed' });
  second.registerWorker({ name: 'w', perform: () => void ran++ });
  second.start();
  await settle(10);
  assert.is(ran, 3);
  assert.equal(await backend.working('fixed'), []);
});

test('options that cannot work are refused with ConfigError', () => {
  const busyLoops = [{ aliveTtlMs: 0 }, { aliveTtlMs: 2 }, { heartbeatEveryMs: 0 }, { idlePollMs: 0 }]; // regression: were accepted
  for (const options of [{ threads: 0 }, { pullBatchSize: 1.5 }, { aliveTtlMs: -1 }, { heartbeatEveryMs: 30_000 }, { highWeight: Number.NaN }, ...busyLoops]) {
    assert.throws(() => createRunner(options), (error: unknown) => error instanceof ConfigError, JSON.stringify(options));
  }
});

test('whatever perform throws is a counted failure with a message, never a crash', async () => {
  const { runner } = make({ retryDelayMs: () => 60_000 });
  let n = 0;
  runner.registerWorker({
    name: 'w',
    perform: () => {
      n++;
      if (n === 1) throw 'a string'; // eslint-disable-line no-throw-literal
      if (n === 2) return Promise.reject(undefined);
      return Promise.reject(new TypeError('typed'));
    },
  });
  await runner.declareMany([1, 2, 3].map(() => ({ name: 'w' })));
  runner.start();
  await settle(10);
  assert.is(runner.status().failCount, 3);
  assert.ok(runner.actor.getSnapshot().hasTag('ready'));
  assert.is(runner.actor.getSnapshot().status, 'active');
  assert.is(await runner.queueLength('waiting'), 3);
});

test('regression: a retryDelayMs that throws or returns garbage falls back to the default schedule, no stuck slot, no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    let calls = 0;
    const { runner, clock } = make({
      retryDelayMs: () => {
        if (calls++ % 2 === 0) throw new Error('bad schedule');
        return Number.NaN;
      },
    });
    runner.registerWorker<number>({
      name: 'w',
      perform: ({ payload }) => {
        if (payload % 2) throw new Error('sync');
        return Promise.reject(new Error('async'));
      },
    });
    await runner.declareMany([1, 2, 3, 4].map((payload) => ({ name: 'w', payload })));
    runner.start();
    await settle(10);
    assert.equal(unhandled, []);
    assert.equal([runner.status().failCount, runner.status().running, runner.status().held], [4, 0, 0]);
    assert.is(await runner.queueLength('waiting'), 4, 'all four retry later');
    const due = (await runner.backend.pull('probe', 10, clock.now() + 15_999, 4, 1e15)).jobs.length;
    assert.is(due, 0, 'not before the default 16 s');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('run(signal) resolves once an abort drained the runner', async () => {
  const { runner } = make();
  runner.registerWorker({ name: 'w', perform: () => {} });
  const controller = new AbortController();
  const running = runner.run(controller.signal);
  await settle(5);
  assert.ok(runner.actor.getSnapshot().hasTag('ready'));
  controller.abort();
  await running;
  assert.is(runner.actor.getSnapshot().status, 'done');
  assert.equal(runner.status().state, 'stopped');
});

test('regression: jobs that finish before the chart enters saturated do not leave it stuck there', async () => {
  // async no-op jobs settle on microtasks queued before the pull's own result reaches the chart
  const { runner } = make({ threads: 10, pullBatchSize: 10, needPullThresholdRatio: 1 });
  let ran = 0;
  runner.registerWorker({ name: 'w', perform: async () => void ran++ });
  await runner.declareMany(Array.from({ length: 50 }, () => ({ name: 'w' })));
  runner.start();
  await settle(30);
  assert.is(ran, 50);
  assert.equal(runner.actor.getSnapshot().value, { running: { work: 'idle', liveness: 'alive' } });
});

test.run();
