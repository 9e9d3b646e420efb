import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, shape, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('close while tasks run: signals abort, results and buffered logs are sent and acked before closed', async () => {
  const link = fx.link({ logFlushIntervalMs: 60_000 });
  link.registerTaskHandler('long', (_params, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.log('started');
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted: link closing')));
    }));
  await link.connect();
  const agentId = link.status().agentId;
  const tasks = [fx.server.dispatch({ type: 'long' }, agentId), fx.server.dispatch({ type: 'long' }, agentId)];
  await eventually(() => link.counters().tasks_running === 2, 'two tasks running');
  const closed: Array<{ reason: string }> = [];
  link.actor.on('link.closed', (e) => closed.push(e));
  await link.close();
  for (const { taskId } of tasks) {
    assert.equal(shape(fx.server.reportsFor(taskId)), ['confirm', 'log:1', 'result']);
    assert.equal((fx.server.reportsFor(taskId)[2] as { payload: unknown }).payload, { status: 'failed', error: 'aborted: link closing' });
  }
  assert.equal(closed.map((e) => e.reason), ['closed: drained']);
  assert.is(link.counters().in_flight, 0);
  assert.is(link.status().state, 'closed');
  assert.throws(() => link.sendTaskLog('r', 't', 'late'), /link is closed/);
  assert.throws(() => link.sendTaskLogBuffered('r', 't', 'late'), /link is closed/);
  await link.close(); // idempotent
});

test('close while disconnected: goes straight to closed', async () => {
  const link = fx.link();
  await link.close();
  assert.is(link.status().state, 'closed');
  assert.is(link.status().reason, 'close requested');
  try {
    await link.connect();
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_LINK_CLOSED');
  }
});

test.run();
