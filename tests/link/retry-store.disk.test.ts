import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
/** Done marks go in the log once per tick: let the tick end. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

retryStoreContract('disk retry store', {
  make: async (capacity) => DiskRetryStore.open(await freshDir(), capacity),
  cleanup: async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  },
}, test);

test('disk retry store: messages survive a reopen (process restart), all in one log', async () => {
  const dir = await freshDir();
  const first = await DiskRetryStore.open(dir, 10);
  for (const order of [3, 1, 2]) first.put(message(order));
  first.remove([2]);
  await first.close();
  assert.equal(await readdir(dir), ['journal.log']);

  const second = await DiskRetryStore.open(dir, 10);
  assert.is(second.size(), 2);
  assert.is(second.maxOrder(), 3);
  assert.equal(await second.peek(10), [message(1), message(3)]);
  await second.close();
});

test('disk retry store: a report logged (not queued here) and never finished comes back at the next open; a finished one does not', async () => {
  const dir = await freshDir();
  const first = DiskRetryStore.openSync(dir);
  first.log(message(1));
  first.log(message(2));
  first.finish(1);
  await tick();
  // No close: the process dies here. Everything written is in the file.
  const second = DiskRetryStore.openSync(dir);
  assert.equal(await second.peek(10), [message(2)]);
  await Promise.all([first.close(), second.close()]);
});

test('disk retry store: a damaged record is counted and skipped, never thrown', async () => {
  const dir = await freshDir();
  const store = await DiskRetryStore.open(dir, 10);
  store.put(message(1));
  store.put(message(2));
  await store.flush();
  const file = join(dir, 'journal.log');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('"m-1"', '"m-X"')); // same length: every position stays
  assert.equal((await store.peek(10)).map((m) => m.order), [2]);
  assert.is(store.ioErrors, 1);
  assert.is(store.size(), 1);
  await store.close();
});

test('disk retry store: a torn tail (a crash mid-write) is skipped, counted and cut; every record before it is kept', async () => {
  const dir = await freshDir();
  const first = DiskRetryStore.openSync(dir);
  for (const order of [1, 2, 3]) first.put(message(order));
  await first.close();
  await appendFile(join(dir, 'journal.log'), '1a2b3c4d {"o":4,"t":1,"n":0,"i":"m-4","f":"{\\"v\\":2,');
  const second = DiskRetryStore.openSync(dir);
  assert.is(second.corruptRecords, 1);
  assert.equal(await second.peek(10), [message(1), message(2), message(3)]);
  second.put(message(5)); // starts on its own line
  await second.close();
  const third = DiskRetryStore.openSync(dir);
  assert.is(third.corruptRecords, 0, 'the torn line was cut off');
  assert.equal((await third.peek(10)).map((m) => m.order), [1, 2, 3, 5]);
  await third.close();
});

test('disk retry store: compactions in the background (writes going on meanwhile) keep every queued report readable, and the log small', async () => {
  const dir = await freshDir();
  const store = DiskRetryStore.openSync(dir, { capacity: 1000, compactAfterBytes: 4096 });
  const pad = 'x'.repeat(200);
  const big = (order: number) => ({ ...message(order), frame: JSON.stringify({ v: 2, id: `m-${order}`, pad }) });
  // Eight rounds of 50 reports, ten queued at a time: each round's first write past the threshold
  // starts a compaction, the rest of the round is written while it runs (carried to the new file).
  for (let round = 0; round < 8; round++) {
    for (let order = round * 50 + 1; order <= (round + 1) * 50; order++) {
      store.put(big(order));
      if (order > 10) store.remove([order - 10]);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await store.flush();
  assert.ok(store.logStats().compactions >= 4, `${store.logStats().compactions} compactions`);
  assert.equal(await store.peek(100), Array.from({ length: 10 }, (_, i) => big(391 + i)));
  await store.close();
  const size = (await readFile(join(dir, 'journal.log'))).length;
  assert.ok(size < 40_000, `log of ${size} bytes, after 400 reports of ≈ 300 bytes`);
  const reopened = DiskRetryStore.openSync(dir);
  assert.equal(await reopened.peek(100), Array.from({ length: 10 }, (_, i) => big(391 + i)));
  await reopened.close();
});

test('disk retry store: the one-file-per-report queue of an earlier version is read into the log, then its files removed', async () => {
  const dir = await freshDir();
  for (const order of [2, 1]) {
    await writeFile(join(dir, `${String(order).padStart(16, '0')}-${1000 + order}.msg.json`), JSON.stringify(message(order)));
  }
  await writeFile(join(dir, `${'3'.padStart(16, '0')}-1003.msg.json.tmp`), '{"id":"m-3","or');
  const store = DiskRetryStore.openSync(dir);
  assert.equal(await store.peek(10), [message(1), message(2)]);
  await store.close();
  assert.equal(await readdir(dir), ['journal.log']);
  const reopened = DiskRetryStore.openSync(dir);
  assert.equal(await reopened.peek(10), [message(1), message(2)], 'imported once, kept in the log');
  await reopened.close();
});

test.run();
