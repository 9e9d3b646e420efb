import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { AutoHttp } from '../../actors/delivery/delivery.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('stopTask on a waiting task: stopped, no further attempt', async () => {
  const sink = await f.sink();
  sink.failNext(100);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 100, times: 0 } });
  delivery.start();
  await delivery.postJson('o', 'w', sink.url, {});
  const stopped = await delivery.stopTask('o', 'w');
  assert.ok(stopped);
  await eventually(async () => (await delivery.task('o', 'w'))?.status === 'stopped', 'stopped');
  await sleep(250);
  assert.is(sink.received(), 1);
});

test('stopTask on a parked task (not in memory) writes stopped to the store; retry re-arms it', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store, retry: { kind: 'step', intervalMs: 60_000, times: 0 }, holdMs: 1000, taskAddIfSuccess: true });
  delivery.start();
  await delivery.postJson('o', 'p', sink.url, {});
  await eventually(() => delivery.status().live === 0, 'parked');
  assert.is((await delivery.stopTask('o', 'p'))?.status, 'stopped');
  assert.is((await store.taskDetailByBusiness('o', 'p'))?.status, 'stopped');
  assert.is(await delivery.stopTask('o', 'nothing'), undefined);
  await delivery.retry('o', 'p');
  await eventually(async () => (await store.taskDetailByBusiness('o', 'p'))?.status === 'success', 'delivered after retry');
  assert.is(sink.received(), 2);
  const task = (await store.taskDetailByBusiness('o', 'p'))!;
  assert.is(task.attempts, 2);
});

test('stopTask while the request is in flight: the answer is recorded, no retry follows', async () => {
  const sink = await f.sink();
  sink.hangNext(1);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 20, times: 0 }, requestTimeoutMs: 200 });
  delivery.start();
  const pending = delivery.postJson('o', 'f', sink.url, {});
  await eventually(() => sink.received() === 1, 'request in flight');
  await delivery.stopTask('o', 'f');
  const result = await pending;
  assert.is(result.status, 'stopped');
  assert.match(result.error ?? '', /within 200 ms/);
  await sleep(100);
  assert.is(sink.received(), 1);
});

test('retry on a task whose schedule is used up: one more attempt now', async () => {
  const sink = await f.sink();
  sink.failNext(2);
  const delivery = f.autoHttp({ retry: { kind: 'ladder', ladderMs: [10] }, taskAddIfSuccess: true });
  delivery.start();
  await delivery.postJson('o', 'u', sink.url, {});
  await eventually(async () => (await delivery.task('o', 'u'))?.status === 'stopped', 'stopped after the ladder');
  await delivery.retry('o', 'u');
  await eventually(async () => (await delivery.task('o', 'u'))?.status === 'success', 'delivered');
  assert.is(sink.received(), 3);
  assert.is((await delivery.retry('o', 'u'))?.status, 'success', 'retry of a success is a no-op');
  assert.is(sink.received(), 3);
});

/**
 * Two tasks waiting for their retry; `halt` stops the first one only: it is stopped and never
 * sent again, the other is delivered, and the actor keeps taking calls.
 */
async function stopsOneTaskOnly(halt: (delivery: AutoHttp, businessType: string, businessId: string) => Promise<DeliveryTask | undefined>) {
  const sink = await f.sink();
  sink.failNext(2);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 100, times: 0 }, taskAddIfSuccess: true });
  delivery.start();
  await delivery.postJson('o', 'halted', sink.url, {});
  await delivery.postJson('o', 'other', sink.url, {});
  assert.is((await halt(delivery, 'o', 'halted'))?.id, (await delivery.task('o', 'halted'))?.id);
  await eventually(async () => (await delivery.task('o', 'halted'))?.status === 'stopped', 'stopped');
  await eventually(async () => (await delivery.task('o', 'other'))?.status === 'success', 'the other task delivered');
  assert.ok(delivery.actor.getSnapshot().hasTag('ready'), 'the actor still runs');
  assert.is((await delivery.postJson('o', 'after', sink.url, {})).status, 'success', 'and takes calls');
  await sleep(250);
  assert.is(sink.received(), 4, 'the stopped task was not sent again');
}

test('stopTask(type, id) stops that task only', () => stopsOneTaskOnly((delivery, type, id) => delivery.stopTask(type, id)));

test('stop(type, id), the deprecated alias of stopTask, still stops that task only', () =>
  stopsOneTaskOnly((delivery, type, id) => delivery.stop(type, id)));

test('stop() with no arguments stops the whole actor, as close() does', async () => {
  const sink = await f.sink();
  const delivery = f.autoHttp();
  delivery.start();
  await delivery.stop();
  assert.is(delivery.actor.getSnapshot().status, 'done');
  try {
    await delivery.postJson('o', 'late', sink.url, {});
    assert.unreachable('refused once stopped');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_DELIVERY_CLOSED');
  }
  assert.is(sink.received(), 0);
});

test.run();
