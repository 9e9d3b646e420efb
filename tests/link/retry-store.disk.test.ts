import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import { message, retryStoreContract } from './helpers/retry-store-contract.js';

const dirs: string[] = [];
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-link-store-'));
  dirs.push(dir);
  return dir;
};

retryStoreContract('disk retry store', {
  make: async (capacity) => DiskRetryStore.open(await freshDir(), capacity),
  cleanup: async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  },
}, test);

test('disk retry store: messages survive a reopen (process restart), one file each', async () => {
  const dir = await freshDir();
  const first = await DiskRetryStore.open(dir, 10);
  for (const order of [3, 1, 2]) first.put(message(order));
  first.remove([2]);
  await first.close();
  assert.is((await readdir(dir)).length, 2);

  const second = await DiskRetryStore.open(dir, 10);
  assert.is(second.size(), 2);
  assert.is(second.maxOrder(), 3);
  assert.equal(await second.peek(10), [message(1), message(3)]);
  await second.close();
});

test('disk retry store: a damaged file is counted and skipped, never thrown', async () => {
  const dir = await freshDir();
  const store = await DiskRetryStore.open(dir, 10);
  store.put(message(1));
  store.put(message(2));
  await store.flush();
  const [firstFile] = (await readdir(dir)).sort();
  await writeFile(join(dir, firstFile!), '{ not json');
  assert.equal((await store.peek(10)).map((m) => m.order), [2]);
  assert.is(store.ioErrors, 1);
  assert.is(store.size(), 1);
  await store.close();
});

test('regression: a message whose file cannot be written stays queued in memory (it vanished on the next peek)', async () => {
  const dir = await freshDir();
  const store = await DiskRetryStore.open(dir, 10);
  await rm(dir, { recursive: true, force: true }); // the disk goes away under the store
  store.put(message(1));
  store.put(message(2));
  await store.flush();
  assert.is(store.ioErrors, 2, 'counted');
  assert.is(store.size(), 2);
  assert.equal(await store.peek(10), [message(1), message(2)]);
  store.remove([1]);
  assert.equal(await store.peek(10), [message(2)]);
  assert.equal((await store.expire(Number.MAX_SAFE_INTEGER)).map((m) => m.id), ['m-2']);
  assert.is(store.size(), 0);
  await store.close();
});

test.run();
