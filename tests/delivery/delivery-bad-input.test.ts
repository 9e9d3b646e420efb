import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import { isStatewireError } from '../../errors/base.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

async function rejects(call: Promise<unknown>, code: string) {
  try {
    await call;
  } catch (error) {
    assert.ok(isStatewireError(error), `a StatewireError, got ${String(error)}`);
    assert.is((error as { code: string }).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('malformed URL, unsupported method, oversized body, bad key or schedule: typed errors, nothing stored', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store, maxBodyBytes: 1024 });
  await rejects(delivery.postJson('o', '1', 'not a url', {}), 'SW_DELIVERY_INVALID_URL');
  await rejects(delivery.postJson('o', '2', 'ftp://127.0.0.1/x', {}), 'SW_DELIVERY_INVALID_URL');
  await rejects(delivery.request({ businessType: 'o', businessId: '3', url: sink.url, method: 'TRACE' }), 'SW_DELIVERY_UNSUPPORTED_METHOD');
  await rejects(delivery.postJson('o', '4', sink.url, { blob: 'x'.repeat(2000) }), 'SW_DELIVERY_BODY_TOO_LARGE');
  await rejects(delivery.postJson('', '5', sink.url, {}), 'SW_DELIVERY_INVALID_TASK');
  await rejects(delivery.postJson('o', '6', sink.url, undefined), 'SW_DELIVERY_INVALID_TASK');
  await rejects(delivery.postJson('o', '7', sink.url, {}, {}, { retry: { kind: 'step', intervalMs: -1, times: 0 } }), 'SW_DELIVERY_INVALID_TASK');
  await rejects(delivery.postJson('o', '8', sink.url, {}, {}, { retry: { kind: 'ladder', ladderMs: [1], jitter: 2 } }), 'SW_DELIVERY_INVALID_TASK');
  // regression: a BigInt or a circular body rejected with a bare TypeError
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  await rejects(delivery.postJson('o', '9', sink.url, { n: 1n }), 'SW_DELIVERY_INVALID_TASK');
  await rejects(delivery.postJson('o', '10', sink.url, circular), 'SW_DELIVERY_INVALID_TASK');
  for (let i = 1; i <= 10; i++) assert.is(await store.taskDetailByBusiness('o', String(i)), undefined);
  assert.is(await store.taskDetailByBusiness('', '5'), undefined);
  assert.is(sink.received(), 0);
  assert.is(delivery.status().rejected, 10);
  // The actor is unharmed: a good call goes through.
  assert.is((await delivery.postJson('o', 'good', sink.url, {})).statusCode, 200);
});

test('an oversized answer fails the attempt instead of filling memory', async () => {
  const sink = await f.sink();
  const delivery = f.autoHttp({ maxResponseBytes: 4 });
  const result = await delivery.postJson('o', 'big-answer', sink.url, {});
  assert.is(result.status, 'failure');
  assert.match(result.error ?? '', /exceeds 4 bytes/);
});

test('a throwing status callback is counted; deliveries go on', async () => {
  const sink = await f.sink();
  const delivery = f.autoHttp({
    callbacks: {
      onTaskStatusUpdate: () => {
        throw new Error('listener bug');
      },
    },
  });
  assert.is((await delivery.postJson('o', 'cb-1', sink.url, {})).statusCode, 200);
  assert.is((await delivery.postJson('o', 'cb-2', sink.url, {})).statusCode, 200);
  await eventually(() => delivery.status().callbackErrors === 2, 'both callback errors counted');
});

test('calls after close are refused with a typed error', async () => {
  const sink = await f.sink();
  const delivery = f.autoHttp();
  await delivery.close();
  await rejects(delivery.postJson('o', 'late', sink.url, {}), 'SW_DELIVERY_CLOSED');
});

test.run();
