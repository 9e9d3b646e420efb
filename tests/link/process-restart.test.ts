import { rm } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, shape, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('process restart: unacked reports stay in the log at close; a new link over the same dir delivers them once, in order, before its own', async () => {
  const dir = await fx.tempDir();
  const first = fx.link({ agentId: 'agent-p', retryQueueDir: dir, closeTimeoutMs: 100 });
  await first.connect();
  fx.server.setAckMode('drop'); // lost on the wire: nothing recorded, nothing acked
  try {
    first.sendTaskConfirm('req', 'task-p');
    for (let i = 1; i <= 5; i++) first.sendTaskLog('req', 'task-p', `line ${i}`);
    first.sendTaskLogBuffered('req', 'task-p', 'buffered');
    await first.close();
  } finally {
    fx.server.setAckMode('ack');
  }
  assert.is(first.status().state, 'closed');
  assert.match(first.status().reason, 'close.timeout');
  assert.is(first.counters().reports_lost_after_close, 0, 'all seven kept in the log');
  assert.is(fx.server.reportsFor('task-p').length, 0);

  const second = fx.link({ agentId: 'agent-p', retryQueueDir: dir });
  assert.is(second.counters().queue_disk, 7, 'the log is replayed before the first report can be made');
  await second.connect();
  second.sendTaskResult('req', 'task-p', { status: 'success' });
  await eventually(() => fx.server.reportsFor('task-p').length === 8, 'eight reports', 5000);
  assert.equal(shape(fx.server.reportsFor('task-p')), ['confirm', 'log:1', 'log:2', 'log:3', 'log:4', 'log:5', 'log:6', 'result']);
  await eventually(() => second.counters().queue_disk === 0 && second.counters().in_flight === 0, 'every report acked', 5000);
  assert.is(fx.server.counts.duplicates, 0);
});

test('overflow: memory full → disk; crossing the warning threshold emits queue.warning once; all delivered in order', async () => {
  const dir = await fx.tempDir();
  const link = fx.link({ retryQueueDir: dir, retryQueueMemorySize: 2, retryQueueWarningThreshold: 3, retryQueueLoadIntervalMs: 20, retryQueueBatchLoadSize: 2 });
  const warnings: Array<{ size: number; threshold: number }> = [];
  link.actor.on('queue.warning', (e) => warnings.push(e));
  // Not connected yet: everything queues.
  link.sendTaskConfirm('req', 'task-o');
  for (let i = 1; i <= 6; i++) link.sendTaskLog('req', 'task-o', `line ${i}`);
  link.sendTaskResult('req', 'task-o', { status: 'success' });
  await eventually(() => link.counters().queue_disk === 6, 'six on disk (memory holds two)');
  assert.is(link.counters().queue_memory, 2);
  assert.equal(warnings, [{ type: 'queue.warning', size: 3, threshold: 3 } as never]);
  await link.connect();
  await eventually(() => fx.server.reportsFor('task-o').length === 8, 'all eight delivered', 5000);
  assert.equal(shape(fx.server.reportsFor('task-o')), ['confirm', ...[1, 2, 3, 4, 5, 6].map((i) => `log:${i}`), 'result']);
  await eventually(() => link.counters().queue_disk === 0 && link.counters().in_flight === 0, 'queues empty');
  assert.is(warnings.length, 1);
});

test('regression: when the log is removed under the link, close counts its unacked reports in reports_lost_after_close (it said 0)', async () => {
  const dir = await fx.tempDir();
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }) };
  const link = fx.link({ retryQueueDir: dir, closeTimeoutMs: 100, logger });
  link.sendTaskLog('req', 'task-gone', 'one');
  link.sendTaskLog('req', 'task-gone', 'two');
  await eventually(() => link.counters().queue_memory === 2, 'queued (never connected)');
  await rm(dir, { recursive: true, force: true }); // written to a file no next process will find
  await link.close();
  const notKept = warnings.find((w) => w.message.includes('not kept'));
  assert.ok(notKept, 'the loss is told');
  assert.is(notKept!.fields!.lost, 2);
  assert.is(link.counters().reports_lost_after_close, 2);
});

test('regression: close() without a log counts the unacked reports it leaves behind in reports_lost_after_close (it said 0)', async () => {
  const link = fx.link({ closeTimeoutMs: 100, retryQueueMemorySize: 1000 });
  for (let i = 0; i < 1000; i++) link.sendTaskLog('req', 'task-unkept', `line ${i}`);
  await link.close(); // never connected: all of them still queued in memory
  assert.is(link.counters().reports_lost_after_close, 1000);
});

test.run();
