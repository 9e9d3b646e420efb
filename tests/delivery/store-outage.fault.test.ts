import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { redisStore } from '../../adapters/delivery/redis.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startRedis } from '../helpers/redis.js';
import { fixtures } from './helpers/fixture.js';

/**
 * The store freezes (redis-server under SIGSTOP) while retries succeed at the receiver: the
 * outcomes cannot be written, the task actors retry the store with backoff without sending again,
 * and once Redis thaws every success is recorded. Each task reaches the receiver's 2xx exactly once.
 */
const f = fixtures();
test.after(() => f.cleanup());

test('store outage during retries: outcomes are recorded once it is back, nothing is sent twice', async () => {
  const redis = await startRedis();
  if (!redis) return;
  f.add(() => redis.stop());
  const client = new Redis(redis.url, { commandTimeout: 300, maxRetriesPerRequest: 1 });
  f.add(async () => void client.disconnect());
  const store = redisStore<DeliveryTask>(client, { prefix: 'outage' });
  const sink = await f.sink();
  sink.failNext(5, 503);
  const delivery = f.autoHttp({ store, retry: { kind: 'step', intervalMs: 300, times: 0 }, holdMs: 10_000, taskAddIfSuccess: true });
  delivery.start();
  const firsts = await Promise.all(Array.from({ length: 5 }, (_, i) => delivery.postJson('o', `s-${i}`, sink.url, { i })));
  assert.ok(firsts.every((r) => r.statusCode === 503));
  await eventually(() => delivery.status().recorded.failure === 5, 'five failures recorded');

  await redis.kill('SIGSTOP');
  try {
    await eventually(() => sink.accepted() === 5, 'retries delivered while the store is frozen', 3000);
    await sleep(500); // the success writes time out and back off
    assert.ok(delivery.status().recorded.success < 5, 'not recorded while Redis is frozen');
  } finally {
    await redis.kill('SIGCONT');
  }
  await eventually(async () => {
    for (let i = 0; i < 5; i++) if ((await store.taskDetailByBusiness('o', `s-${i}`))?.status !== 'success') return false;
    return true;
  }, 'every success recorded after the thaw', 8000);
  for (let i = 0; i < 5; i++) assert.is(sink.requests.filter((r) => r.body === JSON.stringify({ i }) && r.answeredWith === 200).length, 1);
  assert.is(sink.received(), 10);
});

test.run();
