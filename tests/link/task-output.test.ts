import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, shape, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('regression: a handler output that is not JSON (cycle, BigInt) still ends the task with a failed result naming why', async () => {
  const link = fx.link();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  link.registerTaskHandler('cyclic', () => cyclic);
  link.registerTaskHandler('big', () => ({ size: 10n }));
  await link.connect();
  const agentId = link.status().agentId;
  const tasks = [fx.server.dispatch({ type: 'cyclic' }, agentId), fx.server.dispatch({ type: 'big' }, agentId)];
  for (const { taskId } of tasks) {
    await eventually(() => fx.server.reportsFor(taskId).some((r) => r.type === 'task.result'), 'a result', 3000);
    assert.equal(shape(fx.server.reportsFor(taskId)), ['confirm', 'result']);
    const result = fx.server.reportsFor(taskId)[1] as { payload: { status: string; error: string } };
    assert.is(result.payload.status, 'failed');
    assert.match(result.payload.error, 'not JSON');
  }
  assert.is(link.counters().reports_lost_after_close, 0);
  assert.is(link.counters().tasks_failed, 2);
  assert.is(link.counters().tasks_succeeded, 0);
});

test.run();
