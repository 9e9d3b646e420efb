import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeadRetentionOptions } from '../../../adapters/worker/retention.js';
import type { NewJob, QueueBackend, QueueName } from '../../../adapters/worker/types.js';

/**
 * The QueueBackend contract: every backend (memory, redis) must pass it unchanged. Each test gets
 * a fresh, empty queue from `make()`; times are explicit (`now`), so no test sleeps.
 */
export interface ContractTarget {
  /** A fresh, empty queue; `options` as both backends take them (the retention policy). */
  make(options?: DeadRetentionOptions): Promise<QueueBackend>;
  after?(): Promise<void>;
}

export const job = (id: string, queue: QueueName = 'low', performAt = 0): NewJob => ({
  id,
  queue,
  performAt,
  data: JSON.stringify({ id, name: 'w', payload: null, queue, retry: 1, retryCount: 0, createdAt: 0, performAt: null, error: null }),
});

export function queueContract(name: string, target: ContractTarget) {
  const test = suite(`queue contract: ${name}`);
  let q: QueueBackend;
  test.before.each(async () => {
    q = await target.make();
  });
  test.after.each(async () => {
    await q.close();
  });
  if (target.after) test.after(target.after);

  test('a ready job is pulled into the working set and completed', async () => {
    assert.is(await q.add([job('a')], 100), 1);
    await q.heartbeat('r1', 10_000);
    assert.is(await q.state('a'), 'ready');
    const pulled = await q.pull('r1', 10, 100, 4, 1e9);
    assert.equal(pulled.jobs.map((j) => [j.id, j.queue]), [['a', 'low']]);
    assert.ok(pulled.jobs[0]!.data?.includes('"id":"a"'));
    assert.is(await q.state('a'), 'working');
    assert.is(await q.complete('r1', ['a', 'unknown']), 1);
    assert.is(await q.state('a'), undefined);
    assert.is(await q.get('a'), null);
    const counts = await q.counts();
    assert.equal([counts.completed, counts.high, counts.low, counts.waiting, counts.dead], [1, 0, 0, 0, 0]);
  });

  test('regression: adding an id that is already queued, running or dead changes nothing (no second copy, no data overwritten)', async () => {
    const again = (id: string, queue: QueueName = 'low', performAt = 0): NewJob => ({ ...job(id, queue, performAt), data: 'second' });
    await q.heartbeat('r1', 1e9);
    assert.is(await q.add([job('a'), again('a')], 0), 1, 'a duplicate within one batch');
    await q.add([job('w', 'low', 500)], 0);
    assert.is(await q.add([again('a', 'high'), again('w', 'low', 100)], 0), 0, 'ready and waiting ids');
    assert.is((await q.pull('r1', 10, 0, 4, 1e9)).jobs.length, 1);
    assert.is(await q.add([again('a')], 0), 0, 'a running id');
    assert.equal(await q.fail('r1', [{ id: 'a', retryAt: null, error: 'x' }], 0), { moved: 1, trimmed: 0 });
    assert.is(await q.add([again('a')], 0), 0, 'a dead id');
    assert.ok((await q.get('a'))!.includes('"id":"a"'), 'data kept');
    const counts = await q.counts();
    assert.equal([counts.high, counts.low, counts.waiting, counts.dead], [0, 0, 1, 1]);
    assert.is(await q.promoteDue(499, 100), 0, 'the waiting job keeps its due time');
    assert.is(await q.complete('r1', ['a']), 0);
  });

  test('a delayed job waits until due, and pull reports the next due time', async () => {
    await q.heartbeat('r1', 10_000);
    await q.add([job('d', 'high', 500), job('e', 'low', 900)], 100);
    assert.is(await q.state('d'), 'waiting');
    let pulled = await q.pull('r1', 10, 499, 4, 1e9);
    assert.is(pulled.jobs.length, 0);
    assert.is(pulled.nextDueAt, 500);
    pulled = await q.pull('r1', 10, 500, 4, 1e9);
    assert.equal(pulled.jobs.map((j) => [j.id, j.queue]), [['d', 'high']]);
    assert.is(pulled.nextDueAt, 900);
    assert.is(await q.promoteDue(1000, 100), 1);
    assert.is(await q.state('e'), 'ready');
    pulled = await q.pull('r1', 10, 1000, 4, 1e9);
    assert.is(pulled.nextDueAt, null);
    assert.equal(pulled.jobs.map((j) => j.id), ['e']);
  });

  test('priorities: high first by weight, low never starved, either fills the batch alone', async () => {
    await q.heartbeat('r1', 10_000);
    await q.add([...Array.from({ length: 10 }, (_, i) => job(`l${i}`, 'low')), ...Array.from({ length: 10 }, (_, i) => job(`h${i}`, 'high'))], 0);
    let ids = (await q.pull('r1', 5, 0, 4, 1e9)).jobs.map((j) => j.id);
    assert.equal(ids, ['h0', 'h1', 'h2', 'h3', 'l0']);
    ids = (await q.pull('r1', 10, 0, 1, 1e9)).jobs.map((j) => j.id);
    assert.equal(ids, ['h4', 'h5', 'h6', 'h7', 'h8', 'l1', 'l2', 'l3', 'l4', 'l5']);
    ids = (await q.pull('r1', 10, 0, 4, 1e9)).jobs.map((j) => j.id);
    assert.equal(ids, ['h9', 'l6', 'l7', 'l8', 'l9']);
  });

  test('a failure with retries left goes back to waiting; with none, to dead; redrive makes it ready', async () => {
    await q.heartbeat('r1', 10_000);
    await q.add([job('f')], 0);
    await q.pull('r1', 1, 0, 4, 1e9);
    assert.equal(await q.fail('r1', [{ id: 'f', data: '{"changed":1}', retryAt: 300, error: 'boom' }], 10), { moved: 1, trimmed: 0 });
    assert.is(await q.state('f'), 'waiting');
    assert.is(await q.get('f'), '{"changed":1}');
    assert.is((await q.pull('r1', 1, 299, 4, 1e9)).jobs.length, 0);
    assert.is((await q.pull('r1', 1, 300, 4, 1e9)).jobs.length, 1);
    assert.equal(await q.fail('r1', [{ id: 'f', retryAt: null, error: 'boom again' }], 400), { moved: 1, trimmed: 0 });
    assert.is(await q.state('f'), 'dead');
    assert.equal(await q.dead(0, 10), [{ id: 'f', data: '{"changed":1}', error: 'boom again', diedAt: 400 }]);
    assert.equal(await q.fail('r1', [{ id: 'f', retryAt: null, error: 'not mine any more' }], 500), { moved: 0, trimmed: 0 }, 'ids outside the working set are ignored');
    assert.ok(await q.redrive('f', 'high', '{"again":1}'));
    assert.not.ok(await q.redrive('f', 'high'), 'only dead jobs are re-driven');
    assert.is(await q.state('f'), 'ready');
    assert.equal((await q.dead(0, 10)).length, 0);
    assert.is((await q.pull('r1', 1, 500, 4, 1e9)).jobs[0]!.data, '{"again":1}');
    const counts = await q.counts();
    assert.is(counts.failed, 2);
  });

  test('dead() pages oldest first; regression: a limit of 0 lists nothing (Redis listed every dead job)', async () => {
    await q.heartbeat('r1', 1e9);
    await q.add([job('a'), job('b'), job('c')], 0);
    await q.pull('r1', 3, 0, 4, 1e9);
    for (const [i, id] of ['a', 'b', 'c'].entries()) await q.fail('r1', [{ id, retryAt: null, error: id }], 10 + i);
    assert.equal((await q.dead(0, 2)).map((d) => d.id), ['a', 'b']);
    assert.equal((await q.dead(2, 10)).map((d) => d.id), ['c']);
    assert.equal(await q.dead(0, 0), []);
    assert.equal(await q.dead(5, 10), []);
  });

  test('due delayed jobs are promoted in batches of the promote size (the seed\'s 100), not all at once', async () => {
    await q.heartbeat('r1', 1e9);
    await q.add(Array.from({ length: 250 }, (_, i) => job(`d${i}`, 'low', 10 + i)), 0);
    assert.is((await q.pull('r1', 1, 1000, 4, 1e9)).jobs.length, 1);
    const counts = await q.counts();
    assert.equal([counts.waiting, counts.low], [150, 99]);
    assert.is(await q.promoteDue(1000, 100), 100);
  });

  test('regression (issue 22): delayed jobs are promoted by due time, ties by member "<queue>#<id>" (the zset order), whatever the add order', async () => {
    await q.heartbeat('r1', 1e9);
    // Ties at 100 across queues and ids; added in neither due nor member order, over two calls.
    await q.add([job('b', 'low', 100), job('z', 'high', 100), job('late', 'high', 300), job('a', 'low', 100)], 0);
    await q.add([job('early', 'low', 50), job('y', 'high', 100), job('c', 'low', 200)], 0);
    const expected = ['early', 'y', 'z', 'a', 'b', 'c', 'late']; // 50 | high#y high#z low#a low#b @100 | 200 | 300
    assert.is(await q.promoteDue(49, 10), 0, 'nothing due before the earliest');
    for (const [i, id] of expected.entries()) {
      assert.is(await q.promoteDue(1e6, 1), 1, `promote #${i}`);
      assert.is(await q.state(id), 'ready', `${id} is promoted #${i}`);
      for (const later of expected.slice(i + 1)) assert.is(await q.state(later), 'waiting', `${later} still waits after #${i}`);
    }
    assert.is(await q.promoteDue(1e6, 1), 0);
    const pulled = await q.pull('r1', 10, 1e6, 1, 1e9);
    // Each ready list in promote order: high y z late, low early a b c (weight 1: high first here).
    assert.equal(pulled.jobs.map((j) => j.id), ['y', 'z', 'late', 'early', 'a', 'b', 'c']);
  });

  test('regression (issue 22): due order holds through retries and partial promotes, against a reference model (seeded)', async () => {
    await q.heartbeat('r1', 1e9);
    let seed = 22;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    /** The reference: the waiting set as a list sorted like the zset. */
    let model: Array<{ at: number; member: string; id: string }> = [];
    const order = (a: { at: number; member: string }, b: { at: number; member: string }) => a.at - b.at || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);
    const readyOrder: string[] = [];
    let next = 0;
    let now = 0;
    for (let step = 0; step < 60; step++) {
      const adds: NewJob[] = Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
        const id = `j${next++}`;
        return job(id, random() < 0.3 ? 'high' : 'low', now + 1 + Math.floor(random() * 8) * 10);
      });
      assert.is(await q.add(adds, now), adds.length);
      for (const a of adds) model.push({ at: a.performAt, member: `${a.queue}#${a.id}`, id: a.id });
      model.sort(order);
      now += Math.floor(random() * 25);
      const limit = 1 + Math.floor(random() * 4);
      const due = model.filter((m) => m.at <= now).slice(0, limit);
      assert.is(await q.promoteDue(now, limit), due.length, `step ${step}: promoted count`);
      model = model.filter((m) => !due.includes(m));
      readyOrder.push(...due.map((m) => m.id));
      for (const m of due) assert.is(await q.state(m.id), 'ready', `step ${step}: ${m.id} promoted`);
      const first = model[0];
      if (first) assert.is(await q.state(first.id), 'waiting', `step ${step}: the earliest left still waits`);
      assert.is((await q.counts()).waiting, model.length, `step ${step}: waiting count`);
    }
    // The rest of what is due now, then everything ready: each list in promote order.
    const dueLeft = model.filter((m) => m.at <= now);
    assert.is(await q.promoteDue(now, 10_000), dueLeft.length);
    readyOrder.push(...dueLeft.map((m) => m.id));
    model = model.filter((m) => m.at > now);
    const pulled = (await q.pull('r1', 10_000, now, 1_000_000, 1e9)).jobs;
    const byQueue = (queue: QueueName) => pulled.filter((j) => j.queue === queue).map((j) => j.id);
    const promotedIn = (queue: QueueName) => readyOrder.filter((id) => byQueue(queue).includes(id));
    assert.equal(byQueue('high'), promotedIn('high'));
    assert.equal(byQueue('low'), promotedIn('low'));
    // A retry lands in due order among the rest (a tie with the earliest, ordered by member).
    const [retried] = pulled;
    if (retried && model.length > 0) {
      const at = model[0]!.at;
      await q.fail('r1', [{ id: retried.id, retryAt: at, error: 'again' }], now);
      model.push({ at, member: `${retried.queue}#${retried.id}`, id: retried.id });
      model.sort(order);
      const all = model.length;
      assert.is(await q.promoteDue(1e12, all), all);
      const rest = (await q.pull('r1', 10_000, 1e12, 1_000_000, 1e9)).jobs;
      assert.equal(rest.filter((j) => j.queue === 'high').map((j) => j.id), model.filter((m) => m.member.startsWith('high#')).map((m) => m.id));
      assert.equal(rest.filter((j) => j.queue === 'low').map((j) => j.id), model.filter((m) => m.member.startsWith('low#')).map((m) => m.id));
    }
  });

  test('release hands jobs back to the front of ready; unregister releases the rest', async () => {
    await q.heartbeat('r1', 10_000);
    await q.add([job('a'), job('b'), job('c')], 0);
    await q.pull('r1', 2, 0, 4, 1e9);
    assert.equal((await q.working('r1')).sort(), ['a', 'b']);
    assert.is(await q.release('r1', ['b', 'zzz']), 1);
    assert.equal(await q.working('r1'), ['a']);
    assert.equal((await q.pull('r1', 1, 0, 4, 1e9)).jobs.map((j) => j.id), ['b']);
    assert.is(await q.unregister('r1'), 2);
    assert.equal((await q.counts()).low, 3);
    await q.heartbeat('r2', 10_000);
    assert.equal((await q.pull('r2', 10, 0, 4, 1e9)).jobs.map((j) => j.id).sort(), ['a', 'b', 'c']);
  });

  test('recover hands back the working set of a runner whose alive deadline passed, only once', async () => {
    await q.heartbeat('dead', 1000);
    await q.heartbeat('live', 5000);
    await q.add([job('a'), job('b'), job('c')], 0);
    await q.pull('dead', 2, 0, 4, 1e9);
    await q.pull('live', 1, 0, 4, 1e9);
    assert.equal(await q.recover(999), { runners: [], jobs: 0 });
    assert.equal(await q.recover(1001), { runners: ['dead'], jobs: 2 });
    assert.equal(await q.recover(1002), { runners: [], jobs: 0 });
    assert.is(await q.complete('dead', ['a', 'b']), 0, 'a late ack of a recovered job does not complete it');
    assert.is(await q.state('a'), 'ready');
    assert.is(await q.state('c'), 'working');
    assert.equal((await q.pull('live', 5, 10, 4, 1e9)).jobs.map((j) => j.id).sort(), ['a', 'b']);
  });

  test('regression: a runner recovered as dead that pulls again is alive again, so those jobs are recoverable', async () => {
    // A live runner presumed dead (paused longer than its TTL) is dropped from the alive set; if
    // its next pull did not put it back, jobs pulled then would sit in a working set nobody
    // recovers once it really dies before its next heartbeat: lost.
    await q.heartbeat('slow', 1000);
    await q.add([job('a'), job('b')], 0);
    assert.equal(await q.recover(1001), { runners: ['slow'], jobs: 0 });
    assert.is((await q.pull('slow', 1, 1002, 4, 5000)).jobs.length, 1);
    assert.equal(await q.recover(4000), { runners: [], jobs: 0 }, 'alive until the deadline the pull gave');
    assert.equal(await q.recover(5001), { runners: ['slow'], jobs: 1 });
    assert.is((await q.counts()).low, 2, 'nothing lost');
    await q.heartbeat('live', 9000);
    assert.is((await q.pull('live', 10, 5002, 4, 6000)).jobs.length, 2);
    assert.equal(await q.recover(8000), { runners: [], jobs: 0 }, 'a pull never shortens a live deadline');
  });

  test('onWork wakes listeners on add, and stops after unsubscribe', async () => {
    let calls = 0;
    const off = q.onWork(() => calls++);
    await new Promise((resolve) => setTimeout(resolve, 30)); // a subscription is a round trip on Redis
    await q.add([job('a')], 0);
    for (let i = 0; i < 100 && calls === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(calls >= 1);
    off();
    const before = calls;
    await q.add([job('b')], 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.is(calls, before);
  });

  test('regression: onWork after close() opens nothing and never calls back (a runner stopped after its backend)', async () => {
    await q.close();
    let calls = 0;
    const off = q.onWork(() => calls++);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await q.add([job('a')], 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.is(calls, 0);
    off();
  });

  test('a large batch of due delayed jobs is promoted and pulled in one step', async () => {
    const jobs = Array.from({ length: 9000 }, (_, i) => job(`d${i}`, 'low', 1000 + i));
    assert.is(await q.add(jobs, 0), 9000);
    await q.heartbeat('r1', 1e9);
    const pulled = await q.pull('r1', 9000, 1e6, 4, 1e9);
    assert.is(pulled.jobs.length, 9000);
    assert.is(pulled.jobs[8999]!.id, 'd8999');
    assert.is((await q.counts()).waiting, 0);
  });

  test('a large bulk add is all queued, in order', async () => {
    const jobs = Array.from({ length: 9000 }, (_, i) => job(`j${i}`));
    assert.is(await q.add(jobs, 0), 9000);
    await q.heartbeat('r1', 10_000);
    const pulled = await q.pull('r1', 9000, 0, 4, 1e9);
    assert.is(pulled.jobs.length, 9000);
    assert.is(pulled.jobs[0]!.id, 'j0');
    assert.is(pulled.jobs[8999]!.id, 'j8999');
    assert.ok(pulled.jobs.every((j) => j.data !== null));
    assert.is((await q.working('r1')).length, 9000);
    assert.is(await q.complete('r1', jobs.map((j) => j.id)), 9000);
  });

  return test;
}
