import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('malformed frames: answered by nothing, counted, emitted as typed errors; the link stays open and works', async () => {
  const link = fx.link();
  const invalid: Array<{ problem: string; message: string }> = [];
  link.actor.on('frame.invalid', (e) => invalid.push(e));
  link.registerTaskHandler('ok', () => 'fine');
  await link.connect();
  const agentId = link.status().agentId;
  const frames = [
    'not json at all',
    '[1,2,3]',
    JSON.stringify({ v: 1, id: 'x', type: 'ping' }),
    JSON.stringify({ v: 2, type: 'ping' }),
    JSON.stringify({ v: 2, id: 'x', type: 'ack', payload: {} }),
    JSON.stringify({ v: 2, id: 'x', type: 'task.run', requestId: 'r', payload: { type: 'ok' } }),
    JSON.stringify({ v: 2, id: 'x', type: 'what.is.this' }),
  ];
  const framesBefore = fx.server.counts.frames;
  for (const frame of frames) fx.server.sendRaw(frame, agentId);
  await eventually(() => invalid.length === frames.length, 'every bad frame reported');
  assert.equal(invalid.map((e) => e.problem), ['not-json', 'not-object', 'bad-version', 'missing-field', 'missing-field', 'missing-field', 'unknown-type']);
  assert.is(link.counters().invalid_frames, frames.length);
  assert.is(fx.server.counts.frames, framesBefore, 'nothing answered');
  assert.ok(link.isConnected());
  const { taskId } = fx.server.dispatch({ type: 'ok' }, agentId);
  await eventually(() => fx.server.reportsFor(taskId).length === 2, 'a task still runs');
  assert.is(link.counters().opens, 1, 'never reconnected');
});

test.run();
