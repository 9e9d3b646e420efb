import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sidecarStatus } from '../../machines/sidecar/status.js';
import { rearmDelays } from '../../machines/xstate-internals.js';
import { createHarness } from './helpers/fakes.js';

const count = (calls: string[], name: string) => calls.filter((c) => c === name).length;

test('restored while disconnected: the runtime re-arms the reconnect for the time that was left', async () => {
  const before = createHarness({ reconnectIntervalMs: 1000 });
  before.actor.start();
  before.stream().send({ type: 'watch.failed', error: { kind: 'watch_connection', code: 'X', message: 'reset' } });
  const reconnectAt = before.actor.getSnapshot().context.deadlines.reconnectAt!;
  before.clock.increment(200);
  const snapshot = before.actor.getPersistedSnapshot();
  before.actor.stop();

  const after = createHarness({ reconnectIntervalMs: 1000 }, undefined, { snapshot, at: 200 });
  after.actor.start();
  assert.is(rearmDelays(after.actor), 1);
  after.clock.increment(reconnectAt - 200 - 1);
  assert.is(sidecarStatus(after.actor.getSnapshot()).watch, 'disconnected');
  after.clock.increment(1);
  assert.is(sidecarStatus(after.actor.getSnapshot()).watch, 'connecting');
  assert.is(count(after.calls, 'watchStream'), 1);
  after.actor.stop();
});

test('restored during the grace period: deregister after the rest of it, not a whole new one', async () => {
  const before = createHarness({ gracePeriodMs: 5000 });
  before.actor.start();
  before.actor.send({ type: 'agent.shutdown' });
  await before.settleLast('drain', 'resolve');
  before.clock.increment(3000);
  const snapshot = before.actor.getPersistedSnapshot();
  before.actor.stop();

  const after = createHarness({ gracePeriodMs: 5000 }, undefined, { snapshot, at: 3000 });
  after.actor.start();
  rearmDelays(after.actor);
  after.clock.increment(1999);
  assert.not.ok(after.calls.includes('deregister'));
  after.clock.increment(1);
  assert.ok(after.calls.includes('deregister'));
  after.actor.stop();
});

test('restored while registering: the replay whose answer was lost is requested again', async () => {
  const before = createHarness();
  before.actor.start();
  before.stream().send({ type: 'watch.connected', data: { ready: true } });
  assert.is(count(before.calls, 'register'), 1);
  const snapshot = before.actor.getPersistedSnapshot();
  before.actor.stop();

  const after = createHarness({}, undefined, { snapshot, at: 0 });
  after.actor.start();
  assert.is(sidecarStatus(after.actor.getSnapshot()).watch, 'registering');
  assert.is(count(after.calls, 'register'), 1);
  await after.settleLast('register', 'resolve');
  assert.is(sidecarStatus(after.actor.getSnapshot()).watch, 'registered');
  after.actor.stop();
});

test('restored while open: the watch stream is opened again, once, resuming from the latest event id', async () => {
  const before = createHarness();
  before.actor.start();
  before.stream().send({ type: 'watch.heartbeat', data: { id: 'h1' } });
  const snapshot = before.actor.getPersistedSnapshot();
  before.actor.stop();

  const after = createHarness({}, undefined, { snapshot, at: 0 });
  after.actor.start();
  await Promise.resolve();
  assert.is(count(after.calls, 'watchStream'), 1);
  assert.is(after.stream().lastEventId, 'h1');
  after.stream().send({ type: 'watch.connected', data: { ready: true } });
  assert.is(sidecarStatus(after.actor.getSnapshot()).watch, 'registering');
  after.actor.stop();
});

test.run();
