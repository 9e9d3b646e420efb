import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileStore } from '../../adapters/delivery/file.js';
import { draft, tempDir, type SampleTask } from './helpers/store-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
test.after(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function freshDir() {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  return tmp.dir;
}

test('tasks survive a restart (close and reopen of the same directory)', async () => {
  const dir = await freshDir();
  const store = fileStore<SampleTask>(dir);
  const a = await store.createTask(draft('a'));
  const b = await store.createTask(draft('b'));
  await store.updateTask({ ...b.task, status: 'failure', nextRetryTime: 4242 });
  await store.deleteTask(a.task.id);
  await store.close();

  const reopened = fileStore<SampleTask>(dir);
  assert.is(await reopened.taskDetail(a.task.id), undefined);
  assert.is((await reopened.taskDetail(b.task.id))?.nextRetryTime, 4242);
  const c = await reopened.createTask(draft('c'));
  assert.ok(c.task.id > b.task.id, 'ids continue after a restart');
  await reopened.close();
});

test('a torn final write costs only its own record', async () => {
  const dir = await freshDir();
  const store = fileStore<SampleTask>(dir);
  for (const id of ['a', 'b', 'c']) await store.createTask(draft(id));
  await store.close();
  // A crash mid-append: half a record, no newline.
  await appendFile(join(dir, 'journal.log'), '1a2b3c4d {"put":{"id":99,"businessType":"order","busi');
  const reopened = fileStore<SampleTask>(dir);
  for (const id of ['a', 'b', 'c']) assert.ok(await reopened.taskDetailByBusiness('order', id), `task ${id} intact`);
  assert.is(reopened.stats().corruptRecords, 1);
  const d = await reopened.createTask(draft('d'));
  assert.ok(d.created);
  await reopened.close();
  const again = fileStore<SampleTask>(dir);
  assert.ok(await again.taskDetailByBusiness('order', 'd'), 'the journal is clean again after the torn line');
  assert.is(again.stats().corruptRecords, 0);
  await again.close();
});

test('a corrupt record in the middle is skipped; the records after it are kept', async () => {
  const dir = await freshDir();
  const store = fileStore<SampleTask>(dir, { compactAfterBytes: 1 << 30 });
  const first = await store.createTask(draft('first'));
  await store.createTask(draft('second'));
  await store.createTask(draft('third'));
  await store.close();
  const file = join(dir, 'journal.log');
  const lines = (await readFile(file, 'utf8')).split('\n');
  // Flip a byte inside the record of "second" (the first line is the id counter).
  lines[2] = lines[2]!.replace('second', 'secXnd');
  await writeFile(file, lines.join('\n'));
  const reopened = fileStore<SampleTask>(dir);
  assert.ok(await reopened.taskDetail(first.task.id));
  assert.is(await reopened.taskDetailByBusiness('order', 'secXnd'), undefined);
  assert.is(await reopened.taskDetailByBusiness('order', 'second'), undefined);
  assert.ok(await reopened.taskDetailByBusiness('order', 'third'));
  assert.is(reopened.stats().corruptRecords, 1);
  await reopened.close();
});

for (const sync of ['dsync', 'fdatasync'] as const) {
  test(`group commit (${sync}): concurrent creates share durable writes, and each resolves durable`, async () => {
    const dir = await freshDir();
    const store = fileStore<SampleTask>(dir, { sync });
    await store.createTask(draft('warm'));
    const before = store.stats();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.createTask(draft(`g${i}`))));
    const after = store.stats();
    assert.is(after.appended - before.appended, 200);
    assert.ok(after.syncs - before.syncs < 50, `${after.syncs - before.syncs} syncs for 200 records`);
    // Durable means on disk: a second reader of the directory sees them all.
    await store.close();
    const reader = fileStore<SampleTask>(dir);
    for (const { task } of results) assert.ok(await reader.taskDetail(task.id));
    await reader.close();
  });
}

test('compaction keeps the live state and shrinks the journal', async () => {
  const dir = await freshDir();
  const store = fileStore<SampleTask>(dir, { compactAfterBytes: 4096 });
  const { task } = await store.createTask(draft('hot'));
  for (let i = 0; i < 200; i++) await store.updateTask({ ...task, nextRetryTime: i });
  assert.ok(store.stats().compactions >= 2, 'compacted while running');
  const size = (await readFile(join(dir, 'journal.log'))).length;
  assert.ok(size < 8192, `journal ${size} bytes after compaction`);
  await store.close();
  const reopened = fileStore<SampleTask>(dir);
  assert.is((await reopened.taskDetail(task.id))?.nextRetryTime, 199);
  await reopened.close();
});

test('a closed store refuses calls', async () => {
  const dir = await freshDir();
  const store = fileStore<SampleTask>(dir);
  await store.close();
  try {
    await store.createTask(draft('late'));
    assert.unreachable('should refuse');
  } catch (error) {
    assert.match(String(error), /closed/);
  }
});

test.run();
