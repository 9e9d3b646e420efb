import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, freePort } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';
import { accept2xx, flush, harness, ok, sampleTask } from './helpers/chart-harness.js';
import { RequestTimeoutError } from '../../errors/delivery.js';

/**
 * A failed attempt records why as a stable code next to the message (`lastErrorCode`), on the
 * task and in the caller's answer: it was the message alone, so a host could not tell a timeout
 * from a refusal or a rejected answer without parsing text.
 */
const f = fixtures();
test.after(() => f.cleanup());
const retry = { kind: 'step' as const, intervalMs: 60_000, times: 0 };

test('refused, timed out, rejected, callback failed: each failure carries its code (first attempt, fast path)', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({
    store,
    retry,
    requestTimeoutMs: 300,
    callbacks: { onTaskBuilding: (item) => { if (item.businessId === 'sign') throw new Error('no key'); } },
  });
  const refused = await delivery.postJson('o', 'refused', `http://127.0.0.1:${await freePort()}/`, {});
  assert.is(refused.errorCode, 'SW_DELIVERY_REQUEST_FAILED');
  sink.hangNext(1);
  const hung = await delivery.postJson('o', 'hung', sink.url, {});
  assert.is(hung.errorCode, 'SW_DELIVERY_TIMEOUT');
  sink.failNext(1);
  const rejected = await delivery.postJson('o', 'rejected', sink.url, {});
  assert.is(rejected.errorCode, 'SW_DELIVERY_REJECTED');
  const unsigned = await delivery.postJson('o', 'sign', sink.url, {});
  assert.is(unsigned.errorCode, 'SW_DELIVERY_CALLBACK_FAILED');
  for (const [id, code] of [['refused', 'SW_DELIVERY_REQUEST_FAILED'], ['hung', 'SW_DELIVERY_TIMEOUT'], ['rejected', 'SW_DELIVERY_REJECTED'], ['sign', 'SW_DELIVERY_CALLBACK_FAILED']] as const) {
    await eventually(async () => (await store.taskDetailByBusiness('o', id))?.lastErrorCode === code, `${id} recorded with ${code}`);
  }
  const ok200 = await delivery.postJson('o', 'fine', sink.url, {});
  assert.is(ok200.errorCode, null);
});

test('the chart records the same codes on retries, and clears the code on success', async () => {
  const h = harness(
    { task: sampleTask({ kind: 'step', intervalMs: 100, times: 0 }, { attempts: 1, status: 'failure', retryCount: 1, nextRetryTime: 100 }) },
    { replies: [new RequestTimeoutError('http://x/', 10), ok(503), ok(200)], validate: accept2xx },
  );
  h.actor.start();
  for (let i = 0; i < 3; i++) {
    h.clock.increment(100);
    await flush();
  }
  assert.equal(h.recorded.map((r) => r.task.lastErrorCode), ['SW_DELIVERY_TIMEOUT', 'SW_DELIVERY_REJECTED', '']);
});

test.run();
