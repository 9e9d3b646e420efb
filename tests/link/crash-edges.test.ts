import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import { freePort, sleep } from '../helpers/ports.js';
import { linkFixture, type LinkFixture } from './helpers/fixture.js';
import { expectedShape, serverShape, startClient, type ClientConfig } from './helpers/client-process.js';

/** SIGKILL of an agent process in the corners: server down, one-report memory queue, a torn log. */
const LOGS = 5;
const TASKS = 5;
const REPORTS = TASKS * (LOGS + 2);

let fx: LinkFixture;
let taskBase = 0;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

const config = (dir: string, overrides: Partial<ClientConfig>): ClientConfig => ({
  agentId: 'edge-agent',
  url: fx.server.url,
  dir,
  durability: 'batch',
  memorySize: 1000,
  maxInFlight: 65_536,
  firstTask: taskBase,
  lastTask: taskBase + TASKS - 1,
  logs: LOGS,
  ...overrides,
});

/** A second process over the same directory that makes no report of its own: it only re-sends. */
async function deliverWhatTheLogHolds(dir: string) {
  const client = startClient(config(dir, { firstTask: 1, lastTask: 0 }));
  try {
    const atStart = await client.next('ready');
    await client.next('settled', 15_000);
    await client.close();
    return atStart;
  } finally {
    await client.kill();
  }
}

function assertAllDelivered(first: number) {
  for (let t = first; t < first + TASKS; t++) assert.equal(serverShape(fx.server, t), expectedShape(LOGS, LOGS + 2), `task ${t}`);
  assert.is(fx.server.counts.duplicates, 0);
}

for (const memorySize of [1000, 1]) {
  test(`SIGKILL with the server down, every report queued (retryQueueMemorySize ${memorySize}): the next process delivers them all, in order`, async () => {
    const dir = await fx.tempDir();
    const first = taskBase;
    const down = `ws://127.0.0.1:${await freePort()}`;
    const client = startClient(config(dir, { url: down, memorySize }));
    try {
      await client.handedAtLeast(REPORTS);
      const queued = await client.counters();
      assert.equal([queued.queue_memory, queued.queue_disk, queued.in_flight], [Math.min(memorySize, REPORTS), REPORTS - Math.min(memorySize, REPORTS), 0]);
    } finally {
      await client.kill();
    }
    taskBase += TASKS;
    const replayed = await deliverWhatTheLogHolds(dir);
    assert.is(replayed.queue_disk, REPORTS, 'all of them in the log');
    assertAllDelivered(first);
  });
}

test('SIGKILL with reports in flight (never acked), in memory and on disk only at once: the next process delivers them all, in order', async () => {
  const dir = await fx.tempDir();
  const first = taskBase;
  fx.server.setAckMode('drop');
  const client = startClient(config(dir, { memorySize: 1, maxInFlight: 5 }));
  try {
    await client.handedAtLeast(REPORTS);
    let held = await client.counters();
    for (let i = 0; i < 100 && held.in_flight < 5; i++) {
      await sleep(20);
      held = await client.counters();
    }
    assert.is(held.in_flight, 5, 'the window full');
    // Those loaded from disk count there until acked, so the disk queue holds 29 or more.
    assert.ok(held.queue_disk >= REPORTS - 6, `${held.queue_disk} on disk only`);
  } finally {
    await client.kill();
    fx.server.setAckMode('ack');
  }
  taskBase += TASKS;
  await deliverWhatTheLogHolds(dir);
  assertAllDelivered(first);
});

test('SIGKILL mid-write (a torn log tail): the torn record is skipped and counted, never fatal; every whole one is delivered', async () => {
  const dir = await fx.tempDir();
  const first = taskBase;
  const client = startClient(config(dir, { url: `ws://127.0.0.1:${await freePort()}` }));
  try {
    await client.handedAtLeast(REPORTS);
  } finally {
    await client.kill();
  }
  taskBase += TASKS;
  // What a kill in the middle of a write leaves: part of a record, no newline.
  await appendFile(join(dir, 'journal.log'), '5f3e2a1b {"o":9007199254740000,"t":1,"n":0,"i":"torn","f":"{\\"v\\":2,\\"id\\":\\"to');
  const replayed = await deliverWhatTheLogHolds(dir);
  assert.is(replayed.log_corrupt_records, 1);
  assert.is(replayed.queue_disk, REPORTS);
  assertAllDelivered(first);
  const reopened = DiskRetryStore.openSync(dir);
  assert.is(reopened.corruptRecords, 0, 'the torn tail was cut off');
  await reopened.close();
});

test.run();
