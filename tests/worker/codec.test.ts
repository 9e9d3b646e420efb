import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeJob, encodeJob } from '../../adapters/worker/codec.js';
import type { JobRecord } from '../../adapters/worker/types.js';

const job: JobRecord = { id: 'j1', name: 'w', payload: { n: 1 }, queue: 'low', retry: 3, retryCount: 0, createdAt: 1000, performAt: null, error: null };

test('null performAt and error are not stored, and read back as null', () => {
  const data = encodeJob(job);
  assert.not.match(data, /performAt|error/);
  assert.equal(decodeJob('j1', data), job);
});

test('set fields are stored; records written with explicit nulls (older runners) still decode', () => {
  const delayed = { ...job, performAt: 5000, error: 'boom' };
  assert.equal(decodeJob('j1', encodeJob(delayed)), delayed);
  assert.equal(decodeJob('j1', JSON.stringify(job)), job);
  assert.equal(decodeJob('j1', encodeJob({ ...job, error: 'x' })), { ...job, error: 'x' });
});

test.run();
