import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accept2xx, flush, harness, ok, sampleTask } from './helpers/chart-harness.js';

const step = { kind: 'step' as const, intervalMs: 1000, times: 0 };

test('stop in building: recorded as stopped, nothing is sent', async () => {
  const h = harness({ task: sampleTask(step) }, { autoBuild: false, validate: accept2xx });
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'building');
  h.actor.send({ type: 'task.stop' });
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  assert.is(h.sent.length, 0);
  assert.is(h.recorded.at(-1)!.task.status, 'stopped');
});

test('stop in sending: the answer is recorded (success stays success)', async () => {
  const h = harness({ task: sampleTask(step) }, { validate: accept2xx });
  h.actor.start();
  await flush();
  h.actor.send({ type: 'task.stop' });
  h.pendingSends[0]!.resolve(ok(200));
  await flush();
  assert.is(h.actor.getSnapshot().value, 'delivered');
  assert.is(h.recorded.at(-1)!.task.status, 'success');
});

test('stop in sending: a failed answer is recorded as stopped, no further retry', async () => {
  const h = harness({ task: sampleTask(step) }, { validate: accept2xx });
  h.actor.start();
  await flush();
  h.actor.send({ type: 'task.stop' });
  h.pendingSends[0]!.resolve(ok(500));
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  const { task } = h.recorded.at(-1)!;
  assert.is(task.status, 'stopped');
  assert.is(task.lastStatusCode, 500);
  h.clock.increment(60_000);
  await flush();
  assert.is(h.sent.length, 1);
});

test('stop then retry while sending: the retry cancels the stop', async () => {
  const h = harness({ task: sampleTask(step) }, { validate: accept2xx });
  h.actor.start();
  await flush();
  h.actor.send({ type: 'task.stop' });
  h.actor.send({ type: 'task.retry' });
  h.pendingSends[0]!.resolve(ok(500));
  await flush();
  assert.is(h.actor.getSnapshot().value, 'waiting');
});

test('stop in validating: same as in sending', async () => {
  const h = harness({ task: sampleTask(step) }, { replies: [ok(500)] });
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'validating');
  h.actor.send({ type: 'task.stop' });
  h.pendingValidations[0]!.resolve({ ok: false, reason: 'nope' });
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  assert.is(h.recorded.at(-1)!.task.lastError, 'nope');
});

test('stop while a failure is being recorded: recorded as failure, then as stopped', async () => {
  const h = harness({ task: sampleTask(step) }, { replies: [ok(500)], validate: accept2xx, autoRecord: false });
  h.actor.start();
  await flush();
  assert.equal(h.actor.getSnapshot().value, { failure: 'saving' });
  h.actor.send({ type: 'task.stop' });
  h.pendingRecords[0]!.resolve();
  await flush();
  assert.equal(h.actor.getSnapshot().value, { stopping: 'saving' });
  h.pendingRecords[1]!.resolve();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  assert.equal(h.emitted.map((e) => e.task.status), ['failure', 'stopped']);
});

test('stop in waiting: stopped at once, the timer is cancelled', async () => {
  const h = harness({ task: sampleTask(step) }, { replies: [ok(500)], validate: accept2xx });
  h.actor.start();
  await flush();
  h.actor.send({ type: 'task.stop' });
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  h.clock.increment(5000);
  await flush();
  assert.is(h.sent.length, 1);
});

test('stop in stopped and in delivered: no-ops', async () => {
  const h = harness({ task: sampleTask({ kind: 'ladder', ladderMs: [] }) }, { replies: [ok(500)], validate: accept2xx });
  h.actor.start();
  await flush();
  const before = h.recorded.length;
  h.actor.send({ type: 'task.stop' });
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  assert.is(h.recorded.length, before);
  const d = harness({ task: sampleTask(step) }, { replies: [ok(200)], validate: accept2xx });
  d.actor.start();
  await flush();
  d.actor.send({ type: 'task.stop' });
  d.actor.send({ type: 'task.retry' });
  await flush();
  assert.is(d.actor.getSnapshot().value, 'delivered');
  assert.is(d.sent.length, 1);
});

test('retry in waiting: sends now, with a fresh schedule', async () => {
  const h = harness({ task: sampleTask({ kind: 'ladder', ladderMs: [1000, 1000] }) }, { replies: [ok(500), ok(500), ok(200)], validate: accept2xx });
  h.actor.start();
  await flush();
  h.clock.increment(1000);
  await flush();
  assert.is(h.actor.getSnapshot().context.task.retryCount, 2);
  h.actor.send({ type: 'task.retry' });
  await flush();
  assert.is(h.sent.length, 3);
  assert.is(h.actor.getSnapshot().value, 'delivered');
  assert.is(h.actor.getSnapshot().context.task.retryCount, 0);
  assert.is(h.actor.getSnapshot().context.task.lastRetryTime, 1000);
});

test('retry in stopped: re-armed, the schedule starts over', async () => {
  const h = harness({ task: sampleTask({ kind: 'ladder', ladderMs: [100] }) }, { replies: [ok(500), ok(500), ok(500)], validate: accept2xx });
  h.actor.start();
  await flush();
  h.clock.increment(100);
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  h.actor.send({ type: 'task.retry' });
  await flush();
  assert.is(h.sent.length, 3);
  assert.is(h.actor.getSnapshot().value, 'waiting', 'one rung again after the re-armed attempt');
});

test('retry while a failure or stop is being recorded: building right after the write', async () => {
  const h = harness({ task: sampleTask(step) }, { replies: [ok(500), ok(200)], validate: accept2xx, autoRecord: false });
  h.actor.start();
  await flush();
  h.actor.send({ type: 'task.retry' });
  h.pendingRecords[0]!.resolve();
  await flush();
  assert.is(h.sent.length, 2);
  assert.equal(h.actor.getSnapshot().value, { success: 'saving' });

  const s = harness({ task: sampleTask(step) }, { autoBuild: false, autoRecord: false, validate: accept2xx });
  s.actor.start();
  await flush();
  s.actor.send({ type: 'task.stop' });
  await flush();
  assert.equal(s.actor.getSnapshot().value, { stopping: 'saving' });
  s.actor.send({ type: 'task.retry' });
  s.pendingRecords[0]!.resolve();
  await flush();
  assert.is(s.actor.getSnapshot().value, 'building');
});

test.run();
