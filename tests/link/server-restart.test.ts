import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, sleep } from '../helpers/ports.js';
import { linkFixture, shape, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

const LINES = 40;

test('server restart mid-task: every confirm, log line and result arrives exactly once, in order', async () => {
  const link = fx.link();
  let release!: () => void;
  const halfway = new Promise<void>((r) => (release = r));
  link.registerTaskHandler('chatty', async (_params, ctx) => {
    for (let i = 1; i <= LINES; i++) {
      link.sendTaskLog(ctx.requestId, ctx.taskId, `line ${i}`);
      if (i === LINES / 2) release();
      await sleep(5);
    }
    return 'done';
  });
  await link.connect();
  // Acks lag behind: at the restart some reports were received but not acked (they are re-sent
  // and the server sees duplicates), others were never received.
  fx.server.setAckMode('ack', 30);
  const { taskId } = fx.server.dispatch({ type: 'chatty' }, link.status().agentId);
  await halfway;
  await fx.server.restart(60);
  fx.server.setAckMode('ack');
  await eventually(() => fx.server.reportsFor(taskId).some((r) => r.type === 'task.result'), 'the result', 8000);
  await eventually(() => link.counters().in_flight === 0 && link.counters().queue_memory === 0, 'every report acked', 8000);

  const expected = ['confirm', ...Array.from({ length: LINES }, (_, i) => `log:${i + 1}`), 'result'];
  assert.equal(shape(fx.server.reportsFor(taskId)), expected);
  const contents = fx.server.reportsFor(taskId).filter((r) => r.type === 'task.log').map((r) => (r as { payload: { content: string } }).payload.content);
  assert.equal(contents, Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
  const counters = link.counters();
  assert.ok(counters.opens >= 2, 'reconnected');
  assert.ok(counters.reports_resent > 0, 'in-flight reports re-sent after the reconnect');
  assert.ok(counters.reports_queued > 0, 'reports made while down were queued');
  assert.is(counters.reports_dropped, 0);
  assert.is(link.status().state, 'connection.open');
});

test.run();
