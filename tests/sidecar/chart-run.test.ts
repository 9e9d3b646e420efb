import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SidecarEmitted } from '../../machines/sidecar/options.js';
import { sidecarStatus } from '../../machines/sidecar/status.js';
import { createHarness } from './helpers/fakes.js';

async function registeredHarness(input: Parameters<typeof createHarness>[0] = {}) {
  const h = createHarness({ gracePeriodMs: 2000, ...input });
  h.actor.start();
  h.stream().send({ type: 'watch.connected', data: {} });
  await h.settleLast('register', 'resolve');
  return h;
}

test('serve is not entered until the sidecar is ready and the first register succeeded', async () => {
  const h = createHarness();
  h.actor.start();
  h.actor.send({ type: 'agent.run' });
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'lifecycle');
  h.stream().send({ type: 'watch.connected', data: { ready: false } });
  await h.settleLast('register', 'resolve');
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'lifecycle', 'registered but the agent says not ready');
  h.stream().send({ type: 'watch.heartbeat', data: { ready: true } });
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'serve');
  assert.ok(h.calls.includes('serve'));
  h.actor.stop();
});

test('shutdown runs host shutdown → drain → grace → deregister, in order and on time', async () => {
  const h = await registeredHarness();
  const stages: string[] = [];
  h.actor.on('sidecar.stage', (event: SidecarEmitted) => stages.push((event as { stage: string }).stage));
  h.actor.send({ type: 'agent.run' });
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'serve');
  h.actor.send({ type: 'agent.shutdown' });
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'shutdown');
  await h.settleLast('hostShutdown', 'resolve');
  assert.is(sidecarStatus(h.actor.getSnapshot()).watch, 'off', 'no replay may undo the drain');
  await h.settleLast('drain', 'resolve');
  h.clock.increment(1999);
  assert.not.ok(h.calls.includes('deregister'), 'deregister waits the whole grace period');
  h.clock.increment(1);
  assert.ok(h.calls.includes('deregister'));
  await h.settleLast('deregister', 'resolve');
  assert.is(h.actor.getSnapshot().status, 'done');
  assert.equal(h.calls.filter((c) => c !== 'watchStream' && c !== 'register'), ['serve', 'hostShutdown', 'drain', 'deregister']);
  assert.equal(stages, ['lifecycle', 'serve', 'shutdown', 'agent_shutdown', 'stopped']);
  assert.is(h.actor.getSnapshot().context.runError, null);
  assert.is(sidecarStatus(h.actor.getSnapshot()).registered, false);
});

test('serve failing is a run error of stage serve, and the agent still drains and deregisters', async () => {
  const h = await registeredHarness({ gracePeriodMs: 0 });
  h.actor.send({ type: 'agent.run' });
  await h.settleLast('serve', 'reject', Object.assign(new Error('port in use'), { code: 'EADDRINUSE' }));
  await h.settleLast('hostShutdown', 'resolve');
  await h.settleLast('drain', 'resolve');
  h.clock.increment(0);
  await h.settleLast('deregister', 'resolve');
  const snapshot = h.actor.getSnapshot();
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.context.runError, { stage: 'serve', code: 'EADDRINUSE', message: 'port in use' });
});

test('serve ending by itself shuts down like a signal', async () => {
  const h = await registeredHarness();
  h.actor.send({ type: 'agent.run' });
  await h.settleLast('serve', 'resolve');
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'shutdown');
  h.actor.stop();
});

test('never ready within readyWaitMs: a lifecycle run error, then drain and deregister', async () => {
  const h = createHarness({ readyWaitMs: 5000 });
  h.actor.start();
  h.actor.send({ type: 'agent.run' });
  h.clock.increment(5000);
  const snapshot = h.actor.getSnapshot();
  assert.is(snapshot.context.runError?.stage, 'lifecycle');
  assert.is(snapshot.context.runError?.code, 'SW_LIFECYCLE_RUN');
  assert.is(sidecarStatus(snapshot).stage, 'agent_shutdown');
  assert.ok(h.calls.includes('drain'));
  h.actor.stop();
});

test('a failed drain skips the grace period; a failed deregister still stops', async () => {
  const h = await registeredHarness({ gracePeriodMs: 60_000 });
  h.actor.send({ type: 'agent.shutdown' });
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'agent_shutdown', 'idle goes straight to the agent shutdown');
  await h.settleLast('drain', 'reject');
  assert.ok(h.calls.includes('deregister'));
  await h.settleLast('deregister', 'reject');
  const snapshot = h.actor.getSnapshot();
  assert.is(snapshot.status, 'done');
  assert.is(snapshot.context.runError?.stage, 'agent_shutdown');
  assert.is(snapshot.context.runError?.message, 'drain failed', 'the first failure is the one reported');
});

test('shutdown before ready skips serve and host shutdown', async () => {
  const h = createHarness({ gracePeriodMs: 0 });
  h.actor.start();
  h.actor.send({ type: 'agent.run' });
  h.actor.send({ type: 'agent.shutdown' });
  assert.is(sidecarStatus(h.actor.getSnapshot()).stage, 'agent_shutdown');
  assert.not.ok(h.calls.includes('serve'));
  assert.not.ok(h.calls.includes('hostShutdown'));
  h.actor.stop();
});

test.run();
