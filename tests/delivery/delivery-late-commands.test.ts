import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InspectionEvent } from 'xstate';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

/**
 * Commands that arrive while a first attempt's outcome is being written (the fast path's window
 * between answering the caller and handing the task on) mean what they mean in the chart.
 */
const f = fixtures();
test.after(() => f.cleanup());

/** A memory store whose writes can be held back, to open that window; `failStops` fails writes of a stop. */
function slowStore() {
  const inner = memoryStore<DeliveryTask>();
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  let stopFailures = 0;
  const store: TaskStore<DeliveryTask> = {
    ...inner,
    updateTask: async (task) => {
      await gate;
      if (task.status === 'stopped' && stopFailures > 0) {
        stopFailures--;
        throw new Error('store down');
      }
      return inner.updateTask(task);
    },
  };
  return {
    store,
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release: () => open(),
    failStops(n: number) {
      stopFailures = n;
    },
  };
}

test('stop while a parked failure is being written: the task ends up stopped in the store', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const slow = slowStore();
  const delivery = f.autoHttp({ store: slow.store, retry: { kind: 'step', intervalMs: 60_000, times: 0 }, holdMs: 1000 });
  slow.hold();
  const first = await delivery.postJson('o', 'late-stop', sink.url, {});
  assert.is(first.status, 'failure');
  await delivery.stopTask('o', 'late-stop');
  slow.release();
  await eventually(async () => (await slow.store.taskDetailByBusiness('o', 'late-stop'))?.status === 'stopped', 'stopped in the store');
  assert.is(delivery.status().live, 0);
});

test('late stop whose write fails: retried with the store backoff until it lands (the task did stay in failure)', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const slow = slowStore();
  const delivery = f.autoHttp({ store: slow.store, retry: { kind: 'step', intervalMs: 60_000, times: 0 }, holdMs: 1000 });
  delivery.start();
  slow.hold();
  await delivery.postJson('o', 'late-stop-fails', sink.url, {});
  await delivery.stopTask('o', 'late-stop-fails');
  slow.failStops(2);
  slow.release();
  await eventually(async () => (await slow.store.taskDetailByBusiness('o', 'late-stop-fails'))?.status === 'stopped', 'stopped in the store', 5000);
  await eventually(() => delivery.status().live === 0, 'released once recorded');
  assert.is(sink.received(), 1);
});

test('retry while a parked failure is being written: the next attempt is made at once (it waited the whole schedule)', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const slow = slowStore();
  const delivery = f.autoHttp({ store: slow.store, retry: { kind: 'ladder', ladderMs: [3_600_000, 7_200_000] }, holdMs: 1000, taskAddIfSuccess: true });
  slow.hold();
  await delivery.postJson('o', 'late-retry-parked', sink.url, {});
  await delivery.retry('o', 'late-retry-parked');
  slow.release();
  await eventually(() => sink.accepted() === 1, 'retried at once', 3000);
  const task = (await eventually(async () => {
    const t = await slow.store.taskDetailByBusiness('o', 'late-retry-parked');
    return t?.status === 'success' && t;
  }, 'success recorded')) as DeliveryTask;
  assert.is(task.retryCount, 0, 'the schedule started over');
});

test('stop while a failure to retry soon is being written: handed to the chart, which stops it', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const slow = slowStore();
  const delivery = f.autoHttp({ store: slow.store, retry: { kind: 'step', intervalMs: 100, times: 0 } });
  slow.hold();
  await delivery.postJson('o', 'late-stop-2', sink.url, {});
  await delivery.stopTask('o', 'late-stop-2');
  slow.release();
  await eventually(async () => (await slow.store.taskDetailByBusiness('o', 'late-stop-2'))?.status === 'stopped', 'stopped in the store');
  await sleep(250);
  assert.is(sink.received(), 1, 'no retry after the stop');
});

test('retry while a failure is being written: the next attempt is made at once, not after the interval', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const slow = slowStore();
  const delivery = f.autoHttp({ store: slow.store, retry: { kind: 'step', intervalMs: 30_000, times: 0 }, taskAddIfSuccess: true });
  slow.hold();
  await delivery.postJson('o', 'late-retry', sink.url, {});
  await delivery.retry('o', 'late-retry');
  slow.release();
  await eventually(() => sink.accepted() === 1, 'retried at once', 2000);
});

test('task actors report to the host inspector', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const seen = new Set<string>();
  const delivery = f.autoHttp({
    retry: { kind: 'step', intervalMs: 20, times: 0 },
    inspect: (event: InspectionEvent) => {
      if (event.type === '@xstate.snapshot') seen.add((event.actorRef as { logic?: { id?: string } }).logic?.id ?? '?');
    },
  });
  delivery.start();
  await delivery.postJson('o', 'inspected', sink.url, {});
  await eventually(() => sink.accepted() === 1, 'delivered');
  assert.ok(seen.has('deliveryLoop'), 'the loop is inspected');
  assert.ok(seen.has('delivery'), 'the task chart is inspected');
});

test.run();
