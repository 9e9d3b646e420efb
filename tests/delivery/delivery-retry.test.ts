import { createServer } from 'node:http';
import { test } from 'uvu';
import { SimulatedClock } from 'xstate';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('fails, then succeeds on a step retry; the caller gets the first attempt', async () => {
  const sink = await f.sink();
  sink.failNext(2, 503);
  const store = memoryStore<DeliveryTask>();
  const updates: string[] = [];
  const delivery = f.autoHttp({
    store,
    retry: { kind: 'step', intervalMs: 30, times: 0 },
    callbacks: { onTaskStatusUpdate: (item, err) => void updates.push(`${item.status}:${err}`) },
  });
  delivery.start();
  const first = await delivery.postJson('order', 'r-1', sink.url, { n: 1 });
  assert.is(first.statusCode, 503);
  assert.is(first.status, 'failure');
  assert.is(first.error, 'receiver answered 503');
  await eventually(() => sink.accepted() === 1, 'delivered on the third attempt');
  await eventually(async () => (await store.taskDetailByBusiness('order', 'r-1'))?.status === 'success', 'success recorded');
  const task = (await store.taskDetailByBusiness('order', 'r-1'))!;
  assert.is(task.attempts, 3);
  assert.is(task.retryCount, 2);
  assert.is(sink.received(), 3);
  assert.equal(updates, ['failure:receiver answered 503', 'failure:receiver answered 503', 'success:']);
});

test('ladder schedule: retries follow the rungs, then the task stops', async () => {
  const sink = await f.sink();
  sink.failNext(10, 500);
  const delivery = f.autoHttp({ retry: { kind: 'ladder', ladderMs: [100, 300] } });
  delivery.start();
  await delivery.postJson('order', 'l-1', sink.url, {});
  await eventually(async () => (await delivery.task('order', 'l-1'))?.status === 'stopped', 'stopped after the ladder', 3000);
  const at = sink.requests.map((r) => r.at);
  assert.is(at.length, 3);
  const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
  // Lower bounds are the schedule; upper bounds leave room for a loaded CI machine.
  assert.ok(gaps[0]! >= 95 && gaps[0]! < 290, `first gap ${gaps[0]} ms ≈ 100`);
  assert.ok(gaps[1]! >= 295 && gaps[1]! < 600, `second gap ${gaps[1]} ms ≈ 300`);
  assert.ok(gaps[1]! > gaps[0]!, 'the ladder climbs');
});

test('429 with Retry-After longer than the schedule: the receiver gets its pause', async () => {
  const sink = await f.sink();
  sink.throttleNext(1, 1);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 20, times: 0 } });
  delivery.start();
  const first = await delivery.postJson('order', 'ra-1', sink.url, {});
  assert.is(first.statusCode, 429);
  await eventually(() => sink.accepted() === 1, 'delivered after the pause', 3000);
  const gap = sink.requests[1]!.at - sink.requests[0]!.at;
  assert.ok(gap >= 950, `retried after ${gap} ms, Retry-After asked 1000`);
});

test('regression: a Retry-After date is read against the host clock, not the wall clock', async () => {
  const clock = new SimulatedClock();
  const at = Date.parse('2031-05-01T12:00:00Z');
  clock.set(at);
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'retry-after': new Date(at + 120_000).toUTCString() }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  f.add(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store, clock, retry: { kind: 'step', intervalMs: 1000, times: 0 } });
  delivery.start();
  const first = await delivery.postJson('order', 'rd-1', `http://127.0.0.1:${port}/`, {});
  assert.is(first.statusCode, 503);
  const task = await eventually(async () => {
    const stored = await store.taskDetailByBusiness('order', 'rd-1');
    return stored?.status === 'failure' ? stored : undefined;
  }, 'failure recorded');
  // Against Date.now() (years before `at`) the pause would have been years long.
  assert.is(task?.nextRetryTime, at + 120_000, 'the receiver asked for 120 s from its Date, on our clock');
});

test('onTaskResultValid rejecting a 200 makes the attempt fail and retry', async () => {
  const sink = await f.sink();
  let calls = 0;
  const delivery = f.autoHttp({
    retry: { kind: 'step', intervalMs: 20, times: 0 },
    taskAddIfSuccess: true,
    callbacks: { onTaskResultValid: (_item, status, body) => (++calls < 2 ? `business error in ${status} ${body}` : true) },
  });
  delivery.start();
  const first = await delivery.postJson('order', 'v-1', sink.url, {});
  assert.is(first.statusCode, 200);
  assert.is(first.status, 'failure');
  assert.is(first.error, 'business error in 200 {"ok":true}');
  await eventually(async () => (await delivery.task('order', 'v-1'))?.status === 'success', 'accepted on the second answer');
  assert.is(sink.received(), 2);
});

test('onTaskBuilding signs each attempt without changing the stored task', async () => {
  const sink = await f.sink();
  sink.failNext(1);
  const store = memoryStore<DeliveryTask>();
  let n = 0;
  const delivery = f.autoHttp({
    store,
    retry: { kind: 'step', intervalMs: 20, times: 0 },
    taskAddIfSuccess: true,
    callbacks: { onTaskBuilding: (item) => void (item.headers['x-signature'] = `sig-${++n}`) },
  });
  delivery.start();
  await delivery.postJson('order', 's-1', sink.url, {});
  await eventually(() => sink.accepted() === 1, 'delivered');
  assert.equal(sink.requests.map((r) => r.headers['x-signature']), ['sig-1', 'sig-2']);
  await eventually(async () => (await store.taskDetailByBusiness('order', 's-1'))?.status === 'success', 'recorded');
  assert.is((await store.taskDetailByBusiness('order', 's-1'))!.headers['x-signature'], undefined);
});

test('a hanging receiver: the attempt times out and is retried', async () => {
  const sink = await f.sink();
  sink.hangNext(1);
  const delivery = f.autoHttp({ retry: { kind: 'step', intervalMs: 20, times: 0 }, requestTimeoutMs: 200 });
  delivery.start();
  const first = await delivery.postJson('order', 'h-1', sink.url, {});
  assert.is(first.statusCode, 0);
  assert.match(first.error ?? '', /within 200 ms/);
  await eventually(() => sink.accepted() === 1, 'delivered after the timeout');
});

test.run();
