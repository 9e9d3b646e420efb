import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import { fakeSocket, outboxOptions } from './helpers/outbox-fakes.js';
import { Outbox } from '../../actors/link/outbox.js';
import { eventually } from '../helpers/ports.js';

/** The outbox over a real log, a fake socket: when a report is in the file, synced, and sent. */
const dirs: string[] = [];
test.after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))).then(() => {}));

async function harness(durability: 'batch' | 'always') {
  const dir = await mkdtemp(join(tmpdir(), 'sw-link-durability-'));
  dirs.push(dir);
  const disk = DiskRetryStore.openSync(dir, { syncWindowMs: durability === 'batch' ? 5 : 0 });
  const written: string[] = [];
  /** Whether each frame was in the log file at the moment it was sent. */
  const loggedWhenSent: boolean[] = [];
  const inFile = (id: string) => readFileSync(join(dir, 'journal.log'), 'utf8').includes(id);
  const socket = fakeSocket((text) => (written.push(text), loggedWhenSent.push(inFile(JSON.parse(text).id))));
  const outbox = new Outbox(outboxOptions({ memory: new MemoryRetryStore(10), disk, syncBeforeSend: durability === 'always' }));
  outbox.attach(socket);
  const report = (text: string) => {
    const order = outbox.reserve();
    outbox.submit(order, JSON.stringify({ v: 2, id: outbox.idFor(order), type: 'task.log', text }));
    return outbox.idFor(order);
  };
  return { disk, outbox, written, loggedWhenSent, report, inFile };
}

/** The rest of this tick: the log writes the tick's reports when it ends, then lets them go. */
const tickEnd = () => new Promise<void>((resolve) => process.nextTick(resolve));

test('durability batch: the reports of a tick are written to the log in one write when it ends, before any is sent; synced within the window by itself', async () => {
  const h = await harness('batch');
  const ids = ['a', 'b', 'c'].map(h.report);
  assert.is(h.written.length, 0, 'nothing leaves within the tick');
  await tickEnd();
  assert.ok(ids.every(h.inFile), 'in the file');
  assert.equal(h.loggedWhenSent, [true, true, true], 'each in the file when it was sent');
  assert.is(h.disk.logStats().appended, 3);
  assert.is(h.disk.logStats().syncs, 0);
  await eventually(() => h.disk.logStats().syncs === 1, 'one fdatasync, nobody asking', 1000, 1);
  await h.disk.close();
});

test('durability always: nothing is sent before its sync; the reports of one tick share one sync and leave in order', async () => {
  const h = await harness('always');
  const ids = ['a', 'b', 'c'].map(h.report);
  await tickEnd();
  assert.ok(ids.every(h.inFile), 'written at the end of the tick');
  assert.is(h.written.length, 0, 'held until synced');
  await eventually(() => h.written.length === 3, 'sent once synced', 1000, 1);
  assert.equal(h.written.map((frame) => JSON.parse(frame).text), ['a', 'b', 'c']);
  assert.is(h.disk.logStats().syncs, 1, 'one sync for the three');
  for (const id of ids) h.outbox.ack(id);
  await h.outbox.whenSettled();
  await h.disk.close();
});

test('an ack puts a done mark in the log within its tick: reopened, the log holds only the unacked report', async () => {
  const h = await harness('batch');
  const [acked, unacked] = ['a', 'b'].map(h.report);
  await tickEnd();
  h.outbox.ack(acked!);
  await tickEnd();
  const again = DiskRetryStore.openSync(h.disk.dir);
  assert.equal((await again.peek(10)).map((m) => m.id), [unacked]);
  await Promise.all([again.close(), h.disk.close()]);
});

test.run();
