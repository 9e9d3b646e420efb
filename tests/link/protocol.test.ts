import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../helpers/ports.js';
import { linkFixture, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

test('protocol: a ping from the server is answered with a pong; the link stays open', async () => {
  const link = fx.link();
  await link.connect();
  const frames = fx.server.counts.frames;
  fx.server.sendRaw(JSON.stringify({ v: 2, id: 'server-ping-1', type: 'ping' }), link.status().agentId);
  await eventually(() => fx.server.counts.frames === frames + 1, 'the pong');
  assert.is(fx.server.counts.invalid, 0, 'a valid v2 pong');
  assert.is(link.counters().invalid_frames, 0);
  assert.ok(link.isConnected());
});

test('hot path: reports through an open link cost no chart event (only state changes do)', async () => {
  const events: string[] = [];
  const link = fx.link({
    inspect: (event) => {
      if (event.type === '@xstate.event') events.push((event as { event: { type: string } }).event.type);
    },
  });
  await link.connect();
  assert.ok(events.includes('frame.welcome'), 'the inspector sees the chart events');
  events.length = 0;
  for (let i = 0; i < 500; i++) link.sendTaskLog('req', 'task-hot', `line ${i}`);
  link.sendTaskConfirm('req', 'task-hot');
  link.sendTaskResult('req', 'task-hot', { status: 'success' });
  await link.settled();
  assert.is(link.counters().reports_acked, 502);
  assert.equal(events, [], 'no event reached the chart for 502 reports and their acks');
  assert.is(link.counters().reports_queued, 0, 'written at once, never queued');
});

test.run();
