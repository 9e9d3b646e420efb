import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually, sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

/**
 * close() leaves no timer behind: a first attempt whose outcome could not be written sat in its
 * store backoff (up to 30 s) past close(), keeping the process alive and writing after it.
 */
const f = fixtures();
test.after(() => f.cleanup());

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a first attempt in its store backoff is woken by close() and gives up; no timer is left', async () => {
  const sink = await f.sink();
  const inner = memoryStore<DeliveryTask>();
  let writes = 0;
  const store: TaskStore<DeliveryTask> = {
    ...inner,
    updateTask: async () => {
      writes++;
      throw new Error('store down');
    },
    deleteTask: async () => {
      writes++;
      throw new Error('store down');
    },
  };
  const baseline = timers();
  const delivery = f.autoHttp({ store, drainTimeoutMs: 50 });
  const result = await delivery.postJson('o', 'unrecorded', sink.url, {});
  assert.is(result.status, 'success');
  await eventually(() => writes >= 3, 'the record is retried with backoff', 3000);
  await delivery.close();
  const after = writes;
  await sleep(30);
  assert.ok(timers() <= baseline, `${timers() - baseline} timer(s) left after close`);
  await sleep(500);
  assert.ok(writes <= after + 1, 'no store writes long after close');
});

test.run();
