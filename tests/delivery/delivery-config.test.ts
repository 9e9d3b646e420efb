import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAutoHttp, type AutoHttpOptions } from '../../actors/delivery/delivery.js';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';

/**
 * Options that cannot work are refused by createAutoHttp with SW_CONFIG, naming the field,
 * before anything starts: `maxConcurrent: 0` (or NaN) used to leave every request waiting for a
 * slot forever, a NaN `requestTimeoutMs` timed every attempt out at once.
 */
const bad: Array<[string, AutoHttpOptions]> = [
  ['maxConcurrent', { maxConcurrent: 0 }],
  ['maxConcurrent', { maxConcurrent: Number.NaN }],
  ['maxConcurrent', { maxConcurrent: 2.5 }],
  ['requestTimeoutMs', { requestTimeoutMs: Number.NaN }],
  ['requestTimeoutMs', { requestTimeoutMs: 0 }],
  ['loopIntervalMs', { loopIntervalMs: 0 }],
  ['holdMs', { holdMs: -1 }],
  ['maxBodyBytes', { maxBodyBytes: Number.POSITIVE_INFINITY }],
  ['autoClean.intervalMs', { autoClean: { enabled: true, intervalMs: 0 } }],
  ['autoClean.successAgeMs', { autoClean: { enabled: true, successAgeMs: -5 } }],
  ['retry', { retry: { kind: 'step', intervalMs: -1, times: 0 } }],
];

for (const [field, options] of bad) {
  test(`refused: ${field} = ${JSON.stringify(options)}`, async () => {
    let made: ReturnType<typeof createAutoHttp> | undefined;
    try {
      made = createAutoHttp({ store: memoryStore<DeliveryTask>(), ...options });
      assert.unreachable('should be refused');
    } catch (error) {
      assert.is((error as { code?: string }).code, 'SW_CONFIG');
      assert.match((error as Error).message, field);
    } finally {
      await made?.close();
    }
  });
}

test('the defaults and sane values are accepted', async () => {
  const delivery = createAutoHttp({ store: memoryStore<DeliveryTask>(), maxConcurrent: 1, holdMs: 0, autoClean: { enabled: true, successAgeMs: 1000 } });
  await delivery.close();
});

test.run();
