import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sidecarStatus } from '../../machines/sidecar/status.js';
import { createHarness, flush } from './helpers/fakes.js';

const count = (calls: string[], name: string) => calls.filter((c) => c === name).length;

test('a connected event replays register once; the registered state carries the ready tag', async () => {
  const h = createHarness();
  h.actor.start();
  assert.is(sidecarStatus(h.actor.getSnapshot()).watch, 'connecting');
  h.stream().send({ type: 'watch.connected', data: { id: '1', status: 'ready' } });
  assert.is(count(h.calls, 'register'), 1);
  assert.not.ok(h.actor.getSnapshot().hasTag('ready'));
  await h.settleLast('register', 'resolve');
  const status = sidecarStatus(h.actor.getSnapshot());
  assert.ok(h.actor.getSnapshot().hasTag('ready'));
  assert.is(status.registered, true);
  assert.is(status.connected, true);
  assert.is(status.registerReplayCount, 1);
  assert.is(status.lastEventId, '1');
  assert.is(status.lastServiceName, 'orders');
  h.actor.stop();
});

test('heartbeats never replay register; a second connected on the same stream does', async () => {
  const h = createHarness();
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: { id: '1' } });
  await h.settleLast('register', 'resolve');
  for (let i = 0; i < 5; i++) h.stream().send({ type: 'watch.heartbeat', data: { id: String(i + 2) } });
  assert.is(count(h.calls, 'register'), 1);
  assert.is(sidecarStatus(h.actor.getSnapshot()).lastEventType, 'heartbeat');
  h.stream().send({ type: 'watch.connected', data: { id: '9' } });
  assert.is(count(h.calls, 'register'), 2);
  h.actor.stop();
});

test('a failed replay is counted and retried after a backoff', async () => {
  const h = createHarness({ registerRetryInitialMs: 200, registerRetryMaxMs: 1000 });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  await h.settleLast('register', 'reject');
  let status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.watch, 'retry_wait');
  assert.is(status.registerReplayFailureCount, 1);
  assert.is(status.lastErrorKind, 'register_replay');
  h.clock.increment(99);
  assert.is(count(h.calls, 'register'), 1, 'equal jitter: never before half the first delay');
  h.clock.increment(101);
  assert.is(count(h.calls, 'register'), 2);
  await h.settleLast('register', 'resolve');
  status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.registered, true);
  assert.is(status.registerReplayCount, 1);
  h.actor.stop();
});

test('a failed stream reconnects after the jittered interval, sending Last-Event-ID', async () => {
  const h = createHarness({ reconnectIntervalMs: 1000 });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: { id: '41' } });
  await h.settleLast('register', 'resolve');
  h.stream().send({ type: 'watch.failed', error: { kind: 'watch_closed', code: 'SW_WATCH_STREAM_CLOSED', message: 'closed' } });
  let status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.watch, 'disconnected');
  assert.is(status.connected, false);
  assert.is(status.disconnectCount, 1);
  assert.is(status.lastErrorKind, 'watch_closed');
  h.clock.increment(499);
  assert.is(count(h.calls, 'watchStream'), 1);
  h.clock.increment(501);
  assert.is(count(h.calls, 'watchStream'), 2);
  assert.is(h.stream().lastEventId, '41');
  h.actor.stop();
});

test('retry: from the stream replaces the reconnect interval', async () => {
  const h = createHarness({ reconnectIntervalMs: 100 });
  h.actor.start();
  h.stream().send({ type: 'watch.retry', retryMs: 4000 });
  h.stream().send({ type: 'watch.failed', error: { kind: 'watch_connection', code: 'SW_WATCH_CONNECTION', message: 'reset' } });
  h.clock.increment(1999);
  assert.is(count(h.calls, 'watchStream'), 1);
  h.clock.increment(2001);
  assert.is(count(h.calls, 'watchStream'), 2);
  h.actor.stop();
});

test('repeated failures back off up to reconnectMaxMs', async () => {
  const h = createHarness({ reconnectIntervalMs: 100, reconnectMaxMs: 400 });
  h.actor.start();
  const fail = () => h.stream().send({ type: 'watch.failed', error: { kind: 'watch_connection', code: 'X', message: 'refused' } });
  for (let i = 0; i < 6; i++) {
    fail();
    h.clock.increment(400);
  }
  assert.is(count(h.calls, 'watchStream'), 7);
  const status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.disconnectCount, 0, 'never connected: attempts are watch errors, not disconnects');
  assert.is(status.watchErrorCount, 6);
  h.actor.stop();
});

test('a heartbeat gap beyond the staleness window counts as a disconnect', async () => {
  const h = createHarness({ staleAfterMs: 3000 });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  await h.settleLast('register', 'resolve');
  for (let i = 0; i < 3; i++) {
    h.clock.increment(2500);
    h.stream().send({ type: 'watch.heartbeat', data: {} });
  }
  assert.is(sidecarStatus(h.actor.getSnapshot()).watch, 'registered');
  // The staleness timer is armed once per window and re-arms from the last frame when it fires.
  h.clock.increment(2999);
  assert.is(sidecarStatus(h.actor.getSnapshot()).watch, 'registered', 'not stale before the window since the last heartbeat ran out');
  h.clock.increment(1);
  const status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.watch, 'disconnected');
  assert.is(status.lastErrorKind, 'watch_stale');
  assert.is(status.disconnectCount, 1);
  h.actor.stop();
});

test('one clock jump past the staleness window after the last frame drops the link (the timer fired late: no 0 ms re-arm)', async () => {
  const h = createHarness({ staleAfterMs: 3000 });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  await h.settleLast('register', 'resolve');
  h.clock.increment(2500);
  h.stream().send({ type: 'watch.heartbeat', data: {} });
  h.clock.increment(2000); // the timer armed at 0 fires late, at 4500: heard, 1000 ms of the window left
  h.stream().send({ type: 'watch.heartbeat', data: {} }); // heard again: the window now ends at 7500
  assert.is(sidecarStatus(h.actor.getSnapshot()).watch, 'registered');
  h.clock.increment(5000); // one jump: the timer (due 5500) fires at 9500, heard but past 7500: stale
  const status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.watch, 'disconnected');
  assert.is(status.lastErrorKind, 'watch_stale');
  h.actor.stop();
});

test('an unusable frame is counted and the stream stays open', async () => {
  const h = createHarness();
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  await flush();
  h.stream().send({ type: 'watch.invalid', error: { kind: 'watch_parse', code: 'SW_WATCH_EVENT_PARSE', message: 'bad json' } });
  const status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.invalidEventCount, 1);
  assert.is(status.lastErrorKind, 'watch_parse');
  assert.is(status.watch, 'registering');
  assert.is(count(h.calls, 'watchStream'), 1);
  h.actor.stop();
});

test('a disconnected event from the agent ends the link until the reconnect', async () => {
  const h = createHarness({ reconnectIntervalMs: 10 });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  await h.settleLast('register', 'resolve');
  h.stream().send({ type: 'watch.disconnected', data: { message: 'restarting' } });
  const status = sidecarStatus(h.actor.getSnapshot());
  assert.is(status.watch, 'disconnected');
  assert.is(status.lastEventType, 'disconnected');
  assert.is(status.sidecar.message, 'restarting');
  assert.ok(status.lastDisconnectedAt);
  h.actor.stop();
});

test.run();
