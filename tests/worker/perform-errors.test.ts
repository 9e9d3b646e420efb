import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRunner } from '../../actors/worker/worker.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import { settle } from '../helpers/model.js';

/** Whatever a worker's perform throws is a counted failure with a message: never a crash, never a stuck slot. */
test('regression: a thrown value String() cannot print, and a huge message, are stored as bounded messages', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const runner = createRunner({ clock: new SimulatedClock(), backend: memoryQueue(), retryDelayMs: () => 60_000 });
  try {
    runner.registerWorker<number>({
      name: 'w',
      perform: ({ payload }) => {
        if (payload === 1) throw Object.create(null); // String() of it throws a TypeError
        if (payload === 2) return Promise.reject(Object.create(null));
        throw new Error('x'.repeat(1_000_000));
      },
    });
    const metas = await runner.declareMany([1, 2, 3].map((payload) => ({ name: 'w', payload })));
    runner.start();
    await settle(10);
    assert.equal(unhandled, []);
    assert.equal([runner.status().failCount, runner.status().running, runner.status().held], [3, 0, 0]);
    assert.is(await runner.queueLength('waiting'), 3);
    const errors = await Promise.all(metas.map(async (meta) => JSON.parse((await runner.backend.get(meta.id))!).error as string));
    assert.is(errors[0], 'unprintable error thrown by perform');
    assert.is(errors[1], 'unprintable error thrown by perform');
    assert.ok(errors[2]!.length < 5000 && errors[2]!.endsWith('(1000000 chars)'), 'capped');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await runner.stop({ deadlineMs: 0 });
  }
});

test.run();
