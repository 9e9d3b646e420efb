import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('drain: no new calls, not ready, the attempt in flight finishes and is recorded; waiting tasks stay in the store', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store, retry: { kind: 'step', intervalMs: 30, times: 0 }, requestTimeoutMs: 300, taskAddIfSuccess: true });
  delivery.start();
  await eventually(() => delivery.actor.getSnapshot().hasTag('ready'), 'ready');
  sink.failNext(1);
  await delivery.postJson('o', 'waiting', sink.url, {}); // now waiting for its retry in an actor
  sink.hangNext(1);
  const inFlight = delivery.postJson('o', 'in-flight', sink.url, {});
  await eventually(() => sink.received() === 2, 'second request in flight');

  const drained = delivery.drain!();
  assert.not.ok(delivery.actor.getSnapshot().hasTag('ready'), 'not ready while draining');
  try {
    await delivery.postJson('o', 'late', sink.url, {});
    assert.unreachable('refused while draining');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_DELIVERY_CLOSED');
  }
  await drained;
  const answer = await inFlight;
  assert.is(answer.status, 'failure', 'the hanging attempt timed out and was recorded');
  assert.is(delivery.status().live, 0);
  await sleep(100);
  assert.is(sink.received(), 2, 'no retry after the drain');
  assert.is((await store.taskDetailByBusiness('o', 'waiting'))?.status, 'failure');
  assert.is((await store.taskDetailByBusiness('o', 'in-flight'))?.status, 'failure');
  assert.is(await store.taskDetailByBusiness('o', 'late'), undefined);
  await delivery.stop();
});

test.run();
