import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('stop(type, id) on a waiting task: stopped, no further attempt', async () => {
  const sink = await f.sink();
  sink.failNext(100);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 100, times: 0 } });
  delivery.start();
  await delivery.postJson('o', 'w', sink.url, {});
  const stopped = await delivery.stop('o', 'w');
  assert.ok(stopped);
  await eventually(async () => (await delivery.task('o', 'w'))?.status === 'stopped', 'stopped');
  await sleep(250);
  assert.is(sink.received(), 1);
});

test('stop on a parked task (not in memory) writes stopped to the store; retry re-arms it', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store, retry: { kind: 'step', intervalMs: 60_000, times: 0 }, holdMs: 1000, taskAddIfSuccess: true });
  delivery.start();
  await delivery.postJson('o', 'p', sink.url, {});
  await eventually(() => delivery.status().live === 0, 'parked');
  assert.is((await delivery.stop('o', 'p'))?.status, 'stopped');
  assert.is((await store.taskDetailByBusiness('o', 'p'))?.status, 'stopped');
  assert.is(await delivery.stop('o', 'nothing'), undefined);
  await delivery.retry('o', 'p');
  await eventually(async () => (await store.taskDetailByBusiness('o', 'p'))?.status === 'success', 'delivered after retry');
  assert.is(sink.received(), 2);
  const task = (await store.taskDetailByBusiness('o', 'p'))!;
  assert.is(task.attempts, 2);
});

test('stop while the request is in flight: the answer is recorded, no retry follows', async () => {
  const sink = await f.sink();
  sink.hangNext(1);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 20, times: 0 }, requestTimeoutMs: 200 });
  delivery.start();
  const pending = delivery.postJson('o', 'f', sink.url, {});
  await eventually(() => sink.received() === 1, 'request in flight');
  await delivery.stop('o', 'f');
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

test.run();
