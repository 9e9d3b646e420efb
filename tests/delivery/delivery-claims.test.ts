import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { sleep } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

/**
 * A task being created, stopped or retried outside the live tasks is claimed against the loop's scan.
 * The claim must hold until every call on that key is done: a duplicate call that finished first
 * used to drop it while the original creation was still being written.
 */
const f = fixtures();
test.after(() => f.cleanup());

/** A memory store whose new tasks are visible at once but whose creation resolves only on release. */
function slowCreates() {
  const inner = memoryStore<DeliveryTask>();
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const store: TaskStore<DeliveryTask> = {
    ...inner,
    createTask: async (draft) => {
      const result = await inner.createTask(draft);
      if (result.created) await gate;
      return result;
    },
  };
  return { store, release: () => open() };
}

test('a duplicate call that returns while the first is still being stored does not let the scan send it too', async () => {
  const sink = await f.sink();
  const slow = slowCreates();
  const delivery = f.autoHttp({ store: slow.store, loopIntervalMs: 20 });
  delivery.start();
  const first = delivery.postJson('o', 'dup-claim', sink.url, {});
  const second = await delivery.postJson('o', 'dup-claim', sink.url, {});
  assert.is(second.created, false);
  await sleep(150); // several scans while the first call's task is in the store, not yet answered
  slow.release();
  assert.is((await first).status, 'success');
  await sleep(150);
  assert.is(sink.received(), 1, 'sent exactly once');
});

test.run();
