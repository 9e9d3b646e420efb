import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createAutoHttp } from '../../actors/delivery/delivery.js';
import { fileStore } from '../../adapters/delivery/file.js';
import { redisStore } from '../../adapters/delivery/redis.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { startWebhookSink } from '../../examples/peers/webhook-sink.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from './helpers/store-fixtures.js';

/**
 * A sender restarts with tasks pending: some failed and waiting for a retry, some left in
 * `sending` by a crash mid-attempt. The next process delivers every one, each exactly once.
 */
const cleanups: Array<() => Promise<void>> = [];
test.after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function restartScenario(openStore: () => Promise<TaskStore<DeliveryTask>>) {
  const sink = await startWebhookSink();
  cleanups.push(() => sink.close());
  await sink.down();
  const retry = { kind: 'step' as const, intervalMs: 100, times: 0 };

  // Process 1: the receiver is down; every first attempt fails, then the process stops.
  const storeA = await openStore();
  const first = createAutoHttp({ store: storeA, retry, loopIntervalMs: 50, requestTimeoutMs: 1000 });
  first.start();
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => first.postJson('order', `p-${i}`, `${sink.url}/hook`, { i })));
  assert.ok(results.every((r) => r.status === 'failure' && r.statusCode === 0));
  await first.close();
  // A crash mid-attempt leaves tasks in `sending`.
  const now = Date.now();
  for (let i = 20; i < 25; i++) {
    await storeA.createTask({
      businessType: 'order', businessId: `p-${i}`, url: `${sink.url}/hook`, method: 'POST',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i }), retry, retryCount: 0, attempts: 0,
      status: 'sending', requestTime: now, lastRetryTime: 0, nextRetryTime: now, successTime: 0, lastStatusCode: 0, lastError: '',
    });
  }
  await storeA.close();

  // Process 2: the receiver is back.
  await sink.up();
  const storeB = await openStore();
  const second = createAutoHttp({ store: storeB, retry, loopIntervalMs: 50, requestTimeoutMs: 1000, taskAddIfSuccess: true });
  cleanups.push(async () => {
    await second.close();
    await storeB.close();
  });
  second.start();
  await eventually(() => sink.accepted() === 25, 'all 25 delivered after the restart', 5000);
  await sleep(300); // several loop intervals and retry steps: nothing may be sent again
  for (let i = 0; i < 25; i++) assert.is(sink.countBody(JSON.stringify({ i })), 1, `task ${i} delivered exactly once`);
  assert.is(sink.received(), 25);
  await eventually(async () => {
    for (let i = 0; i < 25; i++) if ((await storeB.taskDetailByBusiness('order', `p-${i}`))?.status !== 'success') return false;
    return true;
  }, 'every task recorded as success');
  await second.close();
}

test('file store: pending tasks are delivered after a restart, each exactly once', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  await restartScenario(async () => fileStore<DeliveryTask>(tmp.dir));
});

test('Redis store: pending tasks are delivered after a restart, each exactly once', async () => {
  const redis = await startRedis();
  if (!redis) return;
  cleanups.push(() => redis.stop());
  let n = 0;
  await restartScenario(async () => {
    const client = new Redis(redis.url, { connectionName: `restart-${++n}` });
    const store = redisStore<DeliveryTask>(client, { prefix: 'restart' });
    return { ...store, close: async () => void (await client.quit()) };
  });
});

test.run();
