import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('receiver down for a while: every task is delivered once it is back (actors and loop both)', async () => {
  const sink = await f.sink();
  await sink.down();
  const store = memoryStore<DeliveryTask>();
  // holdMs below the step interval: after a failure the actor parks and the loop resumes the task.
  const delivery = f.autoHttp({ store, retry: { kind: 'step', intervalMs: 80, times: 0 }, holdMs: 40, loopIntervalMs: 30, taskAddIfSuccess: true });
  delivery.start();
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => delivery.postJson('evt', `e-${i}`, sink.url, { i })));
  assert.ok(results.every((r) => r.status === 'failure'));
  await sleep(250); // a few retry rounds against the dead port
  assert.ok(delivery.status().recorded.failure > 30, 'retried while down');
  assert.is(delivery.status().tasks?.failure, 30, 'the store holds 30 failed tasks (as of the last scan)');
  assert.ok(delivery.status().loop.picked > 0, 'the loop resumed parked tasks');
  await sink.up();
  await eventually(() => sink.accepted() === 30, 'all 30 delivered after the receiver returned', 5000);
  await eventually(async () => (await store.incompleteTaskIds(Number.MAX_SAFE_INTEGER)).length === 0, 'nothing left to retry');
  for (let i = 0; i < 30; i++) assert.is(sink.countBody(JSON.stringify({ i })), 1);
  assert.is(delivery.status().live, 0);
});

test('more due tasks than the concurrency limit: all delivered, never more in flight than allowed', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const now = Date.now();
  for (let i = 0; i < 60; i++) {
    await store.createTask({
      businessType: 'bulk', businessId: `b-${i}`, url: sink.url, method: 'POST', headers: {}, body: `${i}`,
      retry: { kind: 'step', intervalMs: 50, times: 0 }, retryCount: 0, attempts: 1, status: 'failure',
      requestTime: now, lastRetryTime: 0, nextRetryTime: now, successTime: 0, lastStatusCode: 500, lastError: 'x',
    });
  }
  const delivery = f.autoHttp({ store, maxConcurrent: 2, loopIntervalMs: 1000 });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, delivery.status().inFlight)), 1);
  try {
    delivery.start();
    await eventually(() => sink.accepted() === 60, 'all 60 delivered', 5000);
  } finally {
    clearInterval(timer);
  }
  assert.ok(peak <= 2, `peak in flight ${peak}`);
  assert.ok(delivery.status().loop.scans >= 2, 'the backlog woke the loop before its interval');
});

test.run();
