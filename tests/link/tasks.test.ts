import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, shape, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('task: confirm, buffered logs, then the result; all acked', async () => {
  const link = fx.link({ logFlushIntervalMs: 20 });
  link.registerTaskHandler('echo', async (params, ctx) => {
    ctx.log('one');
    ctx.log('two');
    return { echoed: params };
  });
  await link.connect();
  const { taskId } = fx.server.dispatch({ type: 'echo', params: { n: 1 } }, link.status().agentId);
  await eventually(() => fx.server.reportsFor(taskId).some((r) => r.type === 'task.result'), 'result');
  const reports = fx.server.reportsFor(taskId);
  assert.equal(shape(reports), ['confirm', 'log:1', 'result']);
  const log = reports[1] as { payload: { content: string } };
  assert.is(log.payload.content, 'one\ntwo');
  assert.equal((reports[2] as { payload: unknown }).payload, { status: 'success', output: { echoed: { n: 1 } } });
  await eventually(() => link.counters().in_flight === 0, 'all acked');
  assert.is(link.counters().reports_acked, 3);
});

test('task: unknown type → failed result naming it; a throwing handler → failed result', async () => {
  const link = fx.link();
  link.registerTaskHandler('boom', () => {
    throw new Error('kaput');
  });
  await link.connect();
  const unknown = fx.server.dispatch({ type: 'nope' }, link.status().agentId);
  const boom = fx.server.dispatch({ type: 'boom' }, link.status().agentId);
  await eventually(() => fx.server.reportsFor(unknown.taskId).length && fx.server.reportsFor(boom.taskId).length >= 2, 'results');
  const [unknownResult] = fx.server.reportsFor(unknown.taskId) as Array<{ type: string; payload: { status: string; error: string } }>;
  assert.is(unknownResult!.type, 'task.result');
  assert.is(unknownResult!.payload.status, 'failed');
  assert.match(unknownResult!.payload.error, '"nope"');
  assert.equal(shape(fx.server.reportsFor(boom.taskId)), ['confirm', 'result']);
  assert.equal((fx.server.reportsFor(boom.taskId)[1] as { payload: unknown }).payload, { status: 'failed', error: 'kaput' });
  assert.is(link.counters().tasks_unknown_type, 1);
});

test('task: several run at once; a re-sent task.run runs once', async () => {
  const link = fx.link();
  let concurrent = 0;
  let peak = 0;
  link.registerTaskHandler('wait', async () => {
    peak = Math.max(peak, ++concurrent);
    await new Promise((r) => setTimeout(r, 50));
    concurrent--;
  });
  await link.connect();
  const ids = [1, 2, 3].map(() => fx.server.dispatch({ type: 'wait' }, link.status().agentId));
  const dup = JSON.stringify({ v: 2, id: 'x', type: 'task.run', requestId: ids[0]!.requestId, taskId: ids[0]!.taskId, payload: { type: 'wait' } });
  fx.server.sendRaw(dup, link.status().agentId);
  await eventually(() => ids.every((i) => fx.server.reportsFor(i.taskId).some((r) => r.type === 'task.result')), 'three results');
  assert.is(peak, 3);
  assert.is(link.counters().tasks_duplicate, 1);
  assert.equal(shape(fx.server.reportsFor(ids[0]!.taskId)), ['confirm', 'result']);
});

test('log buffer: a full buffer (logBufferSize) flushes at once; seq counts per task', async () => {
  const link = fx.link({ logBufferSize: 10, logFlushIntervalMs: 60_000 });
  await link.connect();
  link.sendTaskConfirm('r', 't-buf');
  link.sendTaskLogBuffered('r', 't-buf', '12345');
  link.sendTaskLogBuffered('r', 't-buf', '67890'); // 12 bytes with newlines: flush
  link.sendTaskLogBuffered('r', 't-buf', 'tail'); // waits for the result
  link.sendTaskLog('r', 't-buf', 'direct');
  link.sendTaskResult('r', 't-buf', { status: 'success' });
  await eventually(() => fx.server.reportsFor('t-buf').length === 5, 'five reports');
  const reports = fx.server.reportsFor('t-buf') as Array<{ type: string; seq?: number; payload?: { content?: string } }>;
  assert.equal(shape(reports), ['confirm', 'log:1', 'log:2', 'log:3', 'result']);
  assert.equal(reports.slice(1, 4).map((r) => r.payload?.content), ['12345\n67890', 'direct', 'tail']);
});

test('task: a line logged after the result is still sent, with the next seq, after the result', async () => {
  const link = fx.link({ logFlushIntervalMs: 60_000 });
  let late!: (line: string) => void;
  link.registerTaskHandler('leaky', (_params, ctx) => {
    ctx.log('during');
    late = ctx.log;
    return 'ok';
  });
  await link.connect();
  const { taskId } = fx.server.dispatch({ type: 'leaky' }, link.status().agentId);
  await eventually(() => fx.server.reportsFor(taskId).length === 3, 'confirm, log, result');
  late('after the result');
  await eventually(() => fx.server.reportsFor(taskId).length === 4, 'the late line');
  assert.equal(shape(fx.server.reportsFor(taskId)), ['confirm', 'log:1', 'result', 'log:2']);
});

test('log buffer API: getOrCreateLogBuffer returns the task\'s one buffer; closeLogBuffer flushes it at once', async () => {
  const link = fx.link({ logFlushIntervalMs: 60_000 });
  await link.connect();
  const buffer = link.getOrCreateLogBuffer('r', 't-api');
  assert.is(link.getOrCreateLogBuffer('r', 't-api'), buffer, 'one buffer per task');
  buffer.write('a');
  link.sendTaskLogBuffered('r', 't-api', 'b');
  assert.is(buffer.pendingBytes, 4, 'both lines wait in the same buffer');
  link.closeLogBuffer('t-api');
  await eventually(() => fx.server.reportsFor('t-api').length === 1, 'the flushed lines');
  assert.equal((fx.server.reportsFor('t-api')[0] as { payload: { content: string } }).payload.content, 'a\nb');
  assert.is.not(link.getOrCreateLogBuffer('r', 't-api'), buffer, 'a closed buffer is forgotten');
  link.closeLogBuffer('t-api');
});

test.run();
