import { mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileStore } from '../../adapters/delivery/file.js';
import { draft, tempDir, type SampleTask } from './helpers/store-fixtures.js';

/**
 * A compaction that fails after the journal's handle was closed (the rename or the reopen fails:
 * EMFILE, a path that became unusable) left the store writing to a closed handle: every later
 * write failed, for good, until the process restarted. The journal now rebuilds itself with a
 * full rewrite at the next write, and loses nothing.
 */
const cleanups: Array<() => Promise<void>> = [];
test.after(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

test('a compaction that fails after closing the journal: writes fail while the cause lasts, then resume; nothing is lost', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const file = join(tmp.dir, 'journal.log');
  const store = fileStore<SampleTask>(tmp.dir, { compactAfterBytes: 2048 });
  const kept = await store.createTask(draft('kept'));
  // The journal's path becomes a directory: the next compaction's rename over it fails.
  await unlink(file);
  await mkdir(file);
  const { task } = await store.createTask(draft('hot'));
  let failed = 0;
  for (let i = 0; i < 40; i++) await store.updateTask({ ...task, nextRetryTime: i }).catch(() => failed++);
  assert.ok(failed > 0, 'writes fail while the journal cannot be replaced');
  await rm(file, { recursive: true });
  await eventuallyWrites(store, task);
  const late = await store.createTask(draft('late'));
  await store.close();

  const reopened = fileStore<SampleTask>(tmp.dir);
  assert.ok(await reopened.taskDetail(kept.task.id), 'a task from before the failure');
  assert.ok(await reopened.taskDetail(late.task.id), 'a task from after it');
  assert.is((await reopened.taskDetail(task.id))?.nextRetryTime, 1000);
  await reopened.close();
});

test('a duplicate create waits for the original to be on disk: when that write fails, the duplicate is not told "it exists"', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const file = join(tmp.dir, 'journal.log');
  const store = fileStore<SampleTask>(tmp.dir, { compactAfterBytes: 1024 });
  const { task } = await store.createTask(draft('hot'));
  await unlink(file);
  await mkdir(file);
  // Until a compaction fails, and with it every write.
  for (let i = 0; i < 40; i++) await store.updateTask({ ...task, nextRetryTime: i }).catch(() => undefined);
  const [original, duplicate] = await Promise.allSettled([store.createTask(draft('twice')), store.createTask(draft('twice'))]);
  assert.is(original.status, 'rejected', 'the original could not be written');
  if (duplicate.status === 'fulfilled') {
    assert.ok(await store.taskDetailByBusiness('order', 'twice'), 'a duplicate told "exists" finds the task');
  }
  await rm(file, { recursive: true });
  await store.close();
});

/** The store writes again (bounded: a few attempts). */
async function eventuallyWrites(store: ReturnType<typeof fileStore<SampleTask>>, task: SampleTask) {
  for (let i = 0; i < 5; i++) {
    try {
      await store.updateTask({ ...task, nextRetryTime: 1000 });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  assert.unreachable('the store never wrote again');
}

test.run();
