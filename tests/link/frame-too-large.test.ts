import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, shape, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

/** A valid `ping` frame of about `bytes` bytes (the padding is a field the link ignores). */
const pingOf = (bytes: number) => JSON.stringify({ v: 2, id: 'big', type: 'ping', pad: 'x'.repeat(bytes) });

test('regression: a frame over maxPayload is counted as frame_too_large (it showed as nothing), the link reconnects, unacked reports are delivered', async () => {
  const link = fx.link();
  const invalid: Array<{ problem: string }> = [];
  const downs: Array<{ reason: string }> = [];
  link.actor.on('frame.invalid', (e) => invalid.push(e));
  link.actor.on('link.down', (e) => downs.push(e));
  await link.connect();
  const agentId = link.status().agentId;
  fx.server.setAckMode('drop'); // sent, never received: only a re-send delivers them
  try {
    link.sendTaskConfirm('req', 'task-big');
    for (let i = 1; i <= 3; i++) link.sendTaskLog('req', 'task-big', `line ${i}`);
    await eventually(() => link.counters().in_flight === 4, 'four in flight');
    fx.server.sendRaw(pingOf(8 << 20), agentId); // 8 MiB: over the default 1 MiB
    await eventually(() => link.counters().frame_too_large === 1, 'counted');
  } finally {
    fx.server.setAckMode('ack');
  }
  assert.equal(invalid.map((e) => e.problem), ['too-large']);
  assert.is(link.counters().invalid_frames, 0, 'its own problem, not a malformed frame');
  await eventually(() => link.counters().opens === 2, 'reconnected', 5000);
  assert.match(downs[0]!.reason, 'frame too large (over maxPayload 1048576 bytes)');
  link.sendTaskResult('req', 'task-big', { status: 'success' });
  await link.settled();
  assert.equal(shape(fx.server.reportsFor('task-big')), ['confirm', 'log:1', 'log:2', 'log:3', 'result']);
  assert.is(link.counters().reports_dropped, 0);
});

test('maxPayload: the option sets the limit; a frame under it is taken as usual', async () => {
  const link = fx.link({ maxPayload: 64 * 1024 });
  await link.connect();
  const agentId = link.status().agentId;
  const before = fx.server.counts.frames;
  fx.server.sendRaw(pingOf(32 * 1024), agentId);
  await eventually(() => fx.server.counts.frames > before, 'its pong');
  assert.is(link.counters().frame_too_large, 0);
  fx.server.sendRaw(pingOf(100 * 1024), agentId);
  await eventually(() => link.counters().frame_too_large === 1, 'counted');
  await eventually(() => link.counters().opens === 2, 'reconnected', 5000);
  assert.is(link.status().counters.frame_too_large, 1, 'in status() too');
});

test.run();
