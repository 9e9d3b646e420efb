import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import { fakeSocket, outboxOptions } from './helpers/outbox-fakes.js';
import { Outbox } from '../../actors/link/outbox.js';

/** The outbox over a real disk store, with a fake socket and no background timer at all. */
const dirs: string[] = [];
test.after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true, maxRetries: 5 }))).then(() => {}));

async function harness() {
  const dir = await mkdtemp(join(tmpdir(), 'sw-link-outbox-'));
  dirs.push(dir);
  const disk = await DiskRetryStore.open(dir, 100);
  const written: Array<{ text: string }> = [];
  const writer = fakeSocket((text) => written.push({ text }));
  const outbox = new Outbox(outboxOptions({ memory: new MemoryRetryStore(1), disk, warningThreshold: 1000, batchLoadSize: 2 }));
  const ids = new Map<string, string>();
  const report = (text: string) => {
    const order = outbox.reserve();
    ids.set(text, outbox.idFor(order));
    outbox.submit(order, text);
  };
  return { outbox, disk, writer, written, report, ids };
}

/** Real time for the disk reads of one batch (far below any load interval, which is not running). */
const settle = () => new Promise<void>((r) => setTimeout(r, 25));

test('regression: a disk backlog drains as fast as the server acks (it went one batch per load interval, and live reports queued behind it)', async () => {
  const h = await harness();
  const texts = Array.from({ length: 10 }, (_, i) => `r${i}`);
  for (const text of texts) h.report(text); // link down: 1 in memory, 9 on disk (once logged, at the tick's end)
  await settle();
  assert.is(h.disk.size(), 9);
  h.outbox.attach(h.writer);
  for (let round = 0; round < 40 && h.written.length < texts.length; round++) {
    await settle();
    for (const { text } of h.written) h.outbox.ack(h.ids.get(text)!);
  }
  await settle();
  assert.equal(h.written.map((w) => w.text), texts, 'every report, in order, with no load-interval tick');
  for (const { text } of h.written) h.outbox.ack(h.ids.get(text)!);
  await h.outbox.whenSettled();
  await h.disk.flush();
  assert.is(h.disk.size(), 0);
});

test.run();
