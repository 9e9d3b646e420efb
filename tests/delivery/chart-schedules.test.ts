import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accept2xx, flush, harness, ok, sampleTask } from './helpers/chart-harness.js';

const refused = () => new Error('connect ECONNREFUSED');

test('step schedule: retries every interval until the answer is accepted (unlimited)', async () => {
  const h = harness(
    { task: sampleTask({ kind: 'step', intervalMs: 1000, times: 0 }), holdMs: 10_000 },
    { replies: [ok(500), refused(), ok(503), ok(200)], validate: accept2xx },
  );
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'waiting');
  assert.is(h.actor.getSnapshot().context.task.nextRetryTime, 1000);
  for (let i = 1; i <= 3; i++) {
    h.clock.increment(999);
    await flush();
    assert.is(h.sent.length, i, 'not before the interval');
    h.clock.increment(1);
    await flush();
    assert.is(h.sent.length, i + 1);
  }
  const { task } = h.actor.getSnapshot().context;
  assert.is(h.actor.getSnapshot().value, 'delivered');
  assert.is(task.status, 'success');
  assert.is(task.attempts, 4);
  assert.is(task.retryCount, 3);
  assert.is(task.successTime, 3000);
  assert.equal(h.emitted.map((e) => e.task.status), ['failure', 'failure', 'failure', 'success']);
  assert.is(h.emitted[1]!.task.lastError, 'connect ECONNREFUSED');
  assert.is(h.emitted[2]!.task.lastStatusCode, 503);
});

test('step schedule with times: stops after the last retry fails', async () => {
  const h = harness(
    { task: sampleTask({ kind: 'step', intervalMs: 100, times: 2 }) },
    { replies: [ok(500), ok(500), ok(500), ok(200)], validate: accept2xx },
  );
  h.actor.start();
  await flush();
  h.clock.increment(100);
  await flush();
  h.clock.increment(100);
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  assert.is(h.sent.length, 3, 'one attempt and two retries');
  assert.is(h.recorded.at(-1)!.task.status, 'stopped');
  assert.is(h.recorded.at(-1)!.task.nextRetryTime, 0);
  h.clock.increment(10_000);
  await flush();
  assert.is(h.sent.length, 3, 'nothing after stopped');
});

test('ladder schedule: one retry after each rung, then stopped', async () => {
  const h = harness(
    { task: sampleTask({ kind: 'ladder', ladderMs: [100, 500, 2000] }), holdMs: 10_000 },
    { replies: [ok(500), ok(500), ok(500), ok(500)], validate: accept2xx },
  );
  const at: number[] = [];
  h.actor.subscribe((s) => {
    if (s.value === 'sending' && at.at(-1) !== h.clock.now()) at.push(h.clock.now());
  });
  h.actor.start();
  await flush();
  for (const step of [100, 500, 2000]) {
    h.clock.increment(step - 1);
    await flush();
    h.clock.increment(1);
    await flush();
  }
  assert.equal(at, [0, 100, 600, 2600]);
  assert.is(h.actor.getSnapshot().value, 'stopped');
  assert.is(h.actor.getSnapshot().context.task.attempts, 4);
});

test('jitter spreads a delay within ±ratio, deterministically per task and attempt', async () => {
  const delays: number[] = [];
  for (const id of [1, 2, 3, 4, 5, 6]) {
    const h = harness({ task: sampleTask({ kind: 'step', intervalMs: 1000, times: 0, jitter: 0.2 }, { id }) }, { replies: [ok(500)], validate: accept2xx });
    h.actor.start();
    await flush();
    delays.push(h.actor.getSnapshot().context.task.nextRetryTime);
    h.actor.stop();
  }
  for (const d of delays) assert.ok(d >= 800 && d <= 1200, `delay ${d} outside ±20 %`);
  assert.ok(new Set(delays).size > 1, 'jitter actually spreads');
});

test('Retry-After longer than the schedule is honoured; shorter is not', async () => {
  const h = harness(
    { task: sampleTask({ kind: 'step', intervalMs: 1000, times: 0 }) },
    { replies: [ok(429, 5000), ok(429, 10), ok(200)], validate: accept2xx },
  );
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().context.task.nextRetryTime, 5000);
  h.clock.increment(5000);
  await flush();
  assert.is(h.sent.length, 2);
  assert.is(h.actor.getSnapshot().context.task.nextRetryTime, 6000, 'the schedule wins over a shorter Retry-After');
  h.clock.increment(1000);
  await flush();
  assert.is(h.actor.getSnapshot().value, 'delivered');
});

test('Retry-After does not revive a used-up schedule', async () => {
  const h = harness({ task: sampleTask({ kind: 'ladder', ladderMs: [] }) }, { replies: [ok(429, 5000)], validate: accept2xx });
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
});

test('a retry further away than holdMs parks the task (the loop resumes it from the store)', async () => {
  const h = harness({ task: sampleTask({ kind: 'step', intervalMs: 60_000, times: 0 }), holdMs: 5000 }, { replies: [ok(500)], validate: accept2xx });
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().status, 'done');
  assert.is(h.actor.getSnapshot().value, 'parked');
  assert.is(h.recorded[0]!.task.status, 'failure');
  assert.is(h.recorded[0]!.task.nextRetryTime, 60_000);
});

test('first-attempt success is discarded unless taskAddIfSuccess; a later success is kept', async () => {
  const first = harness({ task: sampleTask({ kind: 'step', intervalMs: 10, times: 0 }) }, { replies: [ok(200)], validate: accept2xx });
  first.actor.start();
  await flush();
  assert.is(first.recorded[0]!.discard, true);
  assert.is(first.emitted[0]!.discarded, true);

  const kept = harness({ task: sampleTask({ kind: 'step', intervalMs: 10, times: 0 }), taskAddIfSuccess: true }, { replies: [ok(200)], validate: accept2xx });
  kept.actor.start();
  await flush();
  assert.is(kept.recorded[0]!.discard, false);

  const later = harness({ task: sampleTask({ kind: 'step', intervalMs: 10, times: 0 }) }, { replies: [ok(500), ok(200)], validate: accept2xx });
  later.actor.start();
  await flush();
  later.clock.increment(10);
  await flush();
  assert.is(later.recorded.at(-1)!.task.status, 'success');
  assert.is(later.recorded.at(-1)!.discard, false);
});

test('a store that fails is retried with backoff; nothing moves on until the write lands', async () => {
  const h = harness({ task: sampleTask({ kind: 'step', intervalMs: 10, times: 0 }) }, { replies: [ok(200)], validate: accept2xx, storeFailures: 2 });
  h.actor.start();
  await flush();
  assert.equal(h.actor.getSnapshot().value, { success: 'retrying' });
  assert.is(h.actor.getSnapshot().context.storeError, 'store down');
  h.clock.increment(100);
  await flush();
  assert.equal(h.actor.getSnapshot().value, { success: 'retrying' });
  h.clock.increment(199);
  await flush();
  assert.equal(h.actor.getSnapshot().value, { success: 'retrying' }, 'second backoff is 200 ms');
  h.clock.increment(1);
  await flush();
  assert.is(h.actor.getSnapshot().value, 'delivered');
  assert.is(h.recorded.length, 1);
  assert.is(h.actor.getSnapshot().context.storeFailures, 0);
});

test('a throwing onTaskBuilding / onTaskResultValid fails the attempt, it does not crash the actor', async () => {
  const h = harness({ task: sampleTask({ kind: 'step', intervalMs: 10, times: 0 }) }, { replies: [ok(200)] });
  h.actor.start();
  await flush();
  h.pendingValidations[0]!.reject(new Error('boom'));
  await flush();
  assert.is(h.actor.getSnapshot().value, 'waiting');
  assert.is(h.actor.getSnapshot().context.task.lastError, 'onTaskResultValid failed: boom');
  assert.is(h.actor.getSnapshot().status, 'active');
});

test('a failed task handed over (after the fast path) waits for its nextRetryTime, then retries', async () => {
  const task = sampleTask({ kind: 'step', intervalMs: 500, times: 0 }, { status: 'failure', attempts: 1, retryCount: 1, nextRetryTime: 500 });
  const h = harness({ task }, { replies: [ok(200)], validate: accept2xx });
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'waiting');
  h.clock.increment(499);
  await flush();
  assert.is(h.sent.length, 0);
  h.clock.increment(1);
  await flush();
  assert.is(h.actor.getSnapshot().value, 'delivered');
  assert.is(h.actor.getSnapshot().context.task.attempts, 2);
  assert.is(h.recorded[0]!.discard, false, 'not a first-attempt success');
});

test('a stopped task given to the chart stays stopped until retried', async () => {
  const h = harness({ task: sampleTask({ kind: 'ladder', ladderMs: [] }, { status: 'stopped', attempts: 3 }) }, { replies: [ok(200)], validate: accept2xx });
  h.actor.start();
  await flush();
  assert.is(h.actor.getSnapshot().value, 'stopped');
  h.actor.send({ type: 'task.retry' });
  await flush();
  assert.is(h.actor.getSnapshot().value, 'delivered');
});

test.run();
