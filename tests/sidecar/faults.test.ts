import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RegisterReplayError, WatchEventParseError, WatchHTTPStatusError, WatchStaleError } from '../../errors/sidecar.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startPair, type Pair } from './helpers/peer.js';

let pair: Pair | undefined;
test.after.each(async () => {
  await pair?.close();
  pair = undefined;
});

test('500 on register: counted, retried with backoff, then registered', async () => {
  pair = await startPair();
  pair.peer.failNext('/register', 500, 3);
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered after failures');
  const status = pair.agent.status();
  assert.is(status.registerReplayFailureCount, 3);
  assert.is(status.registerReplayCount, 1);
  assert.is(status.lastErrorKind, 'register_replay');
  assert.equal(pair.peer.callsTo('/register').map((c) => c.status), [500, 500, 500, 200]);
  const replayErrors = pair.errors.filter((e) => e instanceof RegisterReplayError);
  assert.is(replayErrors.length, 3);
  assert.is(replayErrors[0]!.code, 'SW_REGISTER_REPLAY');
  assert.is((replayErrors[0]!.cause as { statusCode?: number }).statusCode, 500);
});

test('a register that is never answered times out, is counted and retried', async () => {
  pair = await startPair({ requestTimeoutMs: 150 });
  pair.peer.stallNext('/register', 1);
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered after the timeout');
  const status = pair.agent.status();
  assert.is(status.registerReplayFailureCount, 1);
  assert.equal(pair.peer.callsTo('/register').map((c) => c.status), [0, 200]);
  const replay = pair.errors.find((e) => e instanceof RegisterReplayError);
  assert.is((replay?.cause as { code?: string } | undefined)?.code, 'SW_SIDECAR_REQUEST');
});

test('garbage payloads are counted, the stream continues and nothing replays', async () => {
  pair = await startPair();
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  for (let i = 0; i < 3; i++) pair.peer.sendGarbage();
  await eventually(() => pair!.agent.status().invalidEventCount === 9, 'nine bad frames counted');
  pair.peer.emit('heartbeat', { message: 'still-here' });
  await eventually(() => pair!.agent.status().sidecar.message === 'still-here', 'good frames after garbage');
  assert.is(pair.peer.counts['/watch'], 1, 'the stream was never dropped');
  assert.is(pair.peer.callsTo('/register').length, 1);
  assert.ok(pair.errors.some((e) => e instanceof WatchEventParseError && e.code === 'SW_WATCH_EVENT_PARSE'));
  assert.is(pair.agent.actor.getSnapshot().status, 'active');
});

test('a non-200 watch is a WatchHTTPStatusError and the watch retries', async () => {
  pair = await startPair();
  pair.peer.failNext('/watch', 503, 2);
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered after two 503s');
  const statusErrors = pair.errors.filter((e) => e instanceof WatchHTTPStatusError);
  assert.is(statusErrors.length, 2);
  assert.is((statusErrors[0] as WatchHTTPStatusError).statusCode, 503);
  assert.is(pair.agent.status().watchErrorCount, 2);
  assert.is(pair.agent.status().disconnectCount, 0);
});

test('agent gone for a while, then back on the same port: reconnects and registers again', async () => {
  pair = await startPair();
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  await pair.peer.pause();
  await eventually(() => pair!.agent.status().watchErrorCount >= 3, 'several failed attempts while gone');
  assert.is(pair.agent.status().connected, false);
  assert.not.ok(pair.agent.actor.getSnapshot().hasTag('ready'));
  await pair.peer.resume();
  await eventually(() => pair!.agent.status().registerReplayCount === 2, 'registered again', 3000);
  assert.is(pair.agent.status().connected, true);
  assert.is(pair.agent.status().disconnectCount, 1);
});

test('flapping: never more than one register per connect, every drop at most one disconnect', async () => {
  pair = await startPair();
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  const drops = await pair.peer.flap(5, 60);
  await eventually(() => pair!.peer.openStreams() === 1 && pair!.agent.status().watch === 'registered', 'settled after flapping', 5000);
  await sleep(100);
  const connects = pair.peer.connectedAt.length;
  const registers = pair.peer.callsTo('/register').length;
  const status = pair.agent.status();
  assert.ok(drops >= 1, 'the flaps hit open streams');
  // A drop can land after the agent wrote `connected` but before the client read it (no replay
  // then), so registers may trail connects; they never exceed them.
  assert.ok(registers <= connects, `${registers} registers for ${connects} connects`);
  assert.ok(status.registerReplayCount >= 2);
  assert.ok(status.disconnectCount >= 1 && status.disconnectCount <= drops, `${status.disconnectCount} disconnects for ${drops} drops`);
});

test('a stale stream (heartbeats stop) counts as a disconnect and reconnects', async () => {
  pair = await startPair({ staleAfterMs: 400 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  await sleep(300);
  assert.is(pair.agent.status().disconnectCount, 0, 'heartbeats every 50 ms keep a 400 ms window alive');
  pair.peer.setHeartbeat(0);
  await eventually(() => pair!.agent.status().disconnectCount === 1, 'stale detected', 2000);
  assert.ok(pair.errors.some((e) => e instanceof WatchStaleError));
  await eventually(() => pair!.peer.counts['/watch'] === 2 && pair!.agent.status().registerReplayCount === 2, 'reconnected and replayed');
});

test.run();
