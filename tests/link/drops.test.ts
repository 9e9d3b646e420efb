import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, sleep } from '../helpers/ports.js';
import { linkFixture, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('TTL: a queued report older than retryQueueDiskTtlMs is dropped with a typed event, never sent', async () => {
  const dir = await fx.tempDir();
  // The TTL leaves the fresh report ample time to be loaded (every 20 ms) and sent, even on a busy box.
  const link = fx.link({ retryQueueDir: dir, retryQueueMemorySize: 1, retryQueueDiskTtlMs: 400, retryQueueLoadIntervalMs: 20 });
  const dropped: Array<{ reason: string; id: string }> = [];
  link.actor.on('report.dropped', (e) => dropped.push(e));
  link.sendTaskLog('req', 'task-ttl', 'old, in memory');
  link.sendTaskLog('req', 'task-ttl', 'old, on disk');
  await sleep(500);
  await link.connect(); // connecting runs a TTL sweep first
  link.sendTaskLog('req', 'task-ttl', 'fresh');
  await eventually(() => fx.server.reportsFor('task-ttl').length === 1, 'the fresh report');
  await sleep(50);
  assert.equal(fx.server.reportsFor('task-ttl').map((r) => (r as { payload: { content: string } }).payload.content), ['fresh']);
  assert.equal(dropped.map((d) => d.reason), ['ttl', 'ttl']);
  assert.is(link.counters().reports_dropped, 2);
  assert.is(link.counters().queue_disk, 0);
});

test('max retries: a report never acked is re-sent retryQueueMaxRetries times, then dropped', async () => {
  const link = fx.link({ retryQueueMaxRetries: 2 });
  const dropped: Array<{ reason: string }> = [];
  link.actor.on('report.dropped', (e) => dropped.push(e));
  await link.connect();
  const duplicatesBefore = fx.server.counts.duplicates;
  fx.server.setAckMode('hold');
  try {
    link.sendTaskLog('req', 'task-retry', 'never acked');
    const duplicates = duplicatesBefore;
    for (let round = 1; round <= 3; round++) {
      // Each round: the server has the report (again), then the connection dies before an ack.
      const arrived = () => fx.server.reportsFor('task-retry').length === 1 && fx.server.counts.duplicates - duplicates === round - 1;
      await eventually(arrived, `send ${round} arrived`);
      fx.server.dropConnections();
      await eventually(() => link.counters().opens === round + 1, `reconnect ${round}`, 3000);
    }
  } finally {
    fx.server.setAckMode('ack');
  }
  await eventually(() => dropped.length === 1, 'dropped after the last retry');
  assert.is(dropped[0]!.reason, 'max-retries');
  assert.is(link.counters().reports_resent, 2);
  assert.is(link.counters().in_flight, 0);
  assert.is(fx.server.reportsFor('task-retry').length, 1, 'the server kept it once (dedupe by id)');
  assert.is(fx.server.counts.duplicates - duplicatesBefore, 2);
});

test('cleanup: the TTL sweep runs every retryQueueCleanupIntervalMs while connected, queued and in-flight reports alike', async () => {
  const link = fx.link({ maxInFlight: 1, retryQueueDiskTtlMs: 150, retryQueueCleanupIntervalMs: 50 });
  const dropped: Array<{ reason: string }> = [];
  link.actor.on('report.dropped', (e) => dropped.push(e));
  await link.connect();
  fx.server.setAckMode('hold');
  try {
    link.sendTaskLog('req', 'task-sweep', 'in flight, never acked');
    link.sendTaskLog('req', 'task-sweep', 'queued behind it');
    assert.equal([link.counters().in_flight, link.counters().queue_memory], [1, 1]);
    await eventually(() => dropped.length === 2, 'both dropped by a later sweep', 3000);
  } finally {
    fx.server.setAckMode('ack');
  }
  assert.equal(dropped.map((d) => d.reason), ['ttl', 'ttl']);
  assert.ok(link.isConnected(), 'no reconnect was needed');
  await link.settled();
});

test('overflow: with no disk and memory full, a report is dropped with reason overflow (counted, emitted)', async () => {
  const link = fx.link({ retryQueueMemorySize: 2 });
  const dropped: Array<{ reason: string }> = [];
  link.actor.on('report.dropped', (e) => dropped.push(e));
  for (let i = 0; i < 3; i++) link.sendTaskLog('req', 'task-full', `line ${i}`);
  assert.equal(dropped.map((d) => d.reason), ['overflow']);
  assert.is(link.counters().queue_memory, 2);
});

test.run();
