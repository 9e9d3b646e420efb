import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { memoryStore } from '../../adapters/delivery/memory.js';
import { deliveryLoopMachine, type ScanResult } from '../../machines/delivery/loop.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { defaultRetrySchedule, nextRetryDelay } from '../../machines/delivery/schedule.js';
import { freePort } from '../helpers/ports.js';
import { flush } from './helpers/chart-harness.js';
import { fixtures } from './helpers/fixture.js';

/**
 * The seed's defaults, checked by behaviour: the loop scans every 3 s and auto-cleans every hour;
 * a task retries every 60 s without limit (periodic retry by default); auto-clean is off and a
 * task that succeeds at once is not kept (TaskAddIfSuccess false).
 */
const f = fixtures();
test.after(() => f.cleanup());

test('loop defaults: a scan every 3000 ms, a clean every 3 600 000 ms', async () => {
  const clock = new SimulatedClock();
  let scans = 0;
  let cleans = 0;
  const logic = deliveryLoopMachine.provide({
    actors: {
      scan: fromPromise(async (): Promise<ScanResult> => (scans++, { picked: 0, more: false })),
      clean: fromPromise(async () => (cleans++, 0)),
      drain: fromPromise(async () => {}),
    },
  });
  const actor = createActor(logic, { clock, input: {} }).start();
  actor.send({ type: 'loop.start' });
  await flush();
  assert.is(scans, 1);
  clock.increment(2999);
  await flush();
  assert.is(scans, 1);
  clock.increment(1);
  await flush();
  assert.is(scans, 2);
  for (let t = 3000; t < 3_600_000; t += 3000) {
    clock.increment(3000);
    if (t % 300_000 === 0) await flush();
  }
  await flush();
  assert.is(cleans, 1, 'one clean after an hour');
  actor.stop();
});

test('retry default: step, every 60 000 ms, unlimited; applied to a task given no schedule', async () => {
  assert.equal(defaultRetrySchedule, { kind: 'step', intervalMs: 60_000, times: 0 });
  assert.is(nextRetryDelay(defaultRetrySchedule, 1_000_000), 60_000, 'still retrying after a million retries');
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store });
  const before = Date.now();
  const result = await delivery.postJson('d', 'refused', `http://127.0.0.1:${await freePort()}/`, {});
  assert.is(result.status, 'failure');
  const task = (await delivery.task('d', 'refused'))!;
  assert.equal(task.retry, defaultRetrySchedule);
  assert.ok(task.nextRetryTime >= before + 60_000 && task.nextRetryTime <= Date.now() + 60_000, 'due 60 s after the attempt');
});

test('taskAddIfSuccess and auto-clean are off by default', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store });
  assert.is((await delivery.postJson('d', 'ok', sink.url, {})).status, 'success');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(await store.taskDetailByBusiness('d', 'ok'), undefined, 'not kept');
  assert.is(delivery.status().loop.cleaned, 0);
});

test.run();
