import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask, TaskStatus } from '../../machines/delivery/task.js';
import { eventually } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('auto-clean deletes finished tasks by status past their age, and keeps the rest', async () => {
  const store = memoryStore<DeliveryTask>();
  const now = Date.now();
  const put = async (id: string, status: TaskStatus, ageMs: number) => {
    await store.createTask({
      businessType: 'c', businessId: id, url: 'http://127.0.0.1:1/', method: 'POST', headers: {}, body: '',
      retry: { kind: 'step', intervalMs: 3_600_000, times: 0 }, retryCount: 0, attempts: 1, status,
      requestTime: now - ageMs, lastRetryTime: 0, nextRetryTime: status === 'failure' ? now + 3_600_000 : 0,
      successTime: 0, lastStatusCode: 0, lastError: '',
    });
  };
  await put('old-success', 'success', 10_000);
  await put('new-success', 'success', 10);
  await put('old-stopped', 'stopped', 10_000);
  await put('old-failure', 'failure', 10_000);
  const delivery = f.autoHttp({ store, autoClean: { enabled: true, successAgeMs: 5000, stoppedAgeMs: 5000, intervalMs: 30 } });
  delivery.start();
  await eventually(() => delivery.status().loop.cleaned === 2, 'two tasks cleaned');
  assert.is(await store.taskDetailByBusiness('c', 'old-success'), undefined);
  assert.is(await store.taskDetailByBusiness('c', 'old-stopped'), undefined);
  assert.ok(await store.taskDetailByBusiness('c', 'new-success'), 'younger than its age');
  assert.ok(await store.taskDetailByBusiness('c', 'old-failure'), 'failure age 0: kept');
});

test('auto-clean takes every aged task in one pass, not one store page (1000) per interval: the backlog grew', async () => {
  const store = memoryStore<DeliveryTask>();
  const now = Date.now();
  for (let i = 0; i < 2500; i++) {
    await store.createTask({
      businessType: 'bulk', businessId: `s-${i}`, url: 'http://127.0.0.1:1/', method: 'POST', headers: {}, body: '',
      retry: { kind: 'step', intervalMs: 1000, times: 0 }, retryCount: 0, attempts: 1, status: 'success',
      requestTime: now - 10_000, lastRetryTime: 0, nextRetryTime: 0, successTime: now - 10_000, lastStatusCode: 200, lastError: '',
    });
  }
  const delivery = f.autoHttp({ store, autoClean: { enabled: true, successAgeMs: 5000, intervalMs: 30 } });
  delivery.start();
  await eventually(() => delivery.status().loop.cleaned > 0, 'a clean ran');
  assert.is(delivery.status().loop.cleaned, 2500, 'all in the first pass');
  assert.is((await store.countByStatus()).success, 0);
});

test('auto-clean off (the default): nothing is deleted', async () => {
  const store = memoryStore<DeliveryTask>();
  await store.createTask({
    businessType: 'c', businessId: 'x', url: 'http://127.0.0.1:1/', method: 'POST', headers: {}, body: '',
    retry: { kind: 'step', intervalMs: 1000, times: 0 }, retryCount: 0, attempts: 1, status: 'success',
    requestTime: 0, lastRetryTime: 0, nextRetryTime: 0, successTime: 1, lastStatusCode: 200, lastError: '',
  });
  const delivery = f.autoHttp({ store, autoClean: { successAgeMs: 1, intervalMs: 10 } });
  delivery.start();
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(await store.taskDetailByBusiness('c', 'x'));
  assert.is(delivery.status().loop.cleaned, 0);
});

test.run();
