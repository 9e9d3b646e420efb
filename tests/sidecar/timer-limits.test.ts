import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness } from './helpers/fakes.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startPair, type Pair } from './helpers/peer.js';

/** Timings at the edges: 0 ms backoffs and delays past setTimeout's 2^31-1 ms ceiling. */
let pair: Pair | undefined;
test.after.each(async () => {
  pair?.agent.actor.stop(); // a test may leave a 24-day grace pending: stop the chart, then the facade
  await pair?.close();
  pair = undefined;
});

const waitOf = (h: ReturnType<typeof createHarness>, deadline: 'reconnectAt' | 'registerRetryAt') =>
  h.actor.getSnapshot().context.deadlines[deadline]! - h.clock.now();

test('a 0 ms reconnect interval still doubles per failed attempt (it stayed 0: a hot reconnect loop)', () => {
  const h = createHarness({ reconnectIntervalMs: 0, reconnectMaxMs: 60_000 });
  h.actor.start();
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    h.stream().send({ type: 'watch.failed', error: { kind: 'watch_connection', code: 'X', message: 'refused' } });
    waits.push(waitOf(h, 'reconnectAt'));
    h.clock.increment(waits[i]!);
  }
  assert.ok(waits[11]! >= 1024, `12th pause ${waits[11]} ms`);
  h.actor.stop();
});

test('a 0 ms register retry still backs off (it retried in a hot loop against a failing agent)', async () => {
  const h = createHarness({ registerRetryInitialMs: 0, registerRetryMaxMs: 60_000 });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    await h.settleLast('register', 'reject');
    waits.push(waitOf(h, 'registerRetryAt'));
    h.clock.increment(waits[i]!);
  }
  assert.ok(waits[11]! >= 1024, `12th pause ${waits[11]} ms`);
  h.actor.stop();
});

test('a staleness window past 2^31-1 ms no longer fires after 1 ms (every stream was dropped as stale)', async () => {
  pair = await startPair({ staleAfterMs: 3_000_000_000 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  await sleep(300);
  assert.is(pair.agent.status().disconnectCount, 0);
  assert.is(pair.peer.counts['/watch'], 1);
});

test('a grace period past 24.8 days no longer deregisters at once', async () => {
  pair = await startPair({ gracePeriod: '1000h' });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  void pair.agent.shutdown().catch(() => undefined);
  await eventually(() => pair!.peer.callsTo('/drain').length === 1, 'drained');
  await sleep(300);
  assert.is(pair.peer.callsTo('/deregister').length, 0, 'still in the grace period');
  assert.is(pair.agent.status().stage, 'agent_shutdown');
});

test('a stream that sends retry: 3e9 is not reconnected after 1 ms', async () => {
  pair = await startPair({}, { retryMs: 3_000_000_000 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  pair.peer.dropStreams();
  await sleep(300);
  assert.is(pair.peer.counts['/watch'], 1, 'waiting as asked, not looping');
});

test.run();
