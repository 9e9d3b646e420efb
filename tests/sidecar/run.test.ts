import { performance } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AgentRunError, LifecycleRunError } from '../../errors/sidecar.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startPair, type Pair } from './helpers/peer.js';

let pair: Pair | undefined;
test.after.each(async () => {
  await pair?.close();
  pair = undefined;
});

const agentCalls = (p: Pair) => p.peer.calls.filter((c) => c.path !== '/watch');

test('full run: serve → SIGTERM-style abort → host shutdown → drain → grace → deregister', async () => {
  const steps: Array<{ step: string; at: number }> = [];
  const mark = (step: string) => steps.push({ step, at: performance.now() });
  let stopServing: () => void = () => undefined;
  pair = await startPair({
    gracePeriod: '300ms',
    serve: () => {
      mark('serve');
      return new Promise<void>((resolve) => (stopServing = resolve));
    },
    shutdown: async () => {
      mark('shutdown');
      await sleep(20);
      stopServing();
    },
  });
  const sigterm = new AbortController();
  const running = pair.agent.run(sigterm.signal);
  await eventually(() => pair!.agent.status().stage === 'serve', 'serving');
  assert.is(pair.peer.callsTo('/register').length, 1, 'registered before serving');
  assert.ok(pair.peer.callsTo('/register')[0]!.at < steps[0]!.at, 'serve starts after the register');
  sigterm.abort();
  await running;

  const calls = agentCalls(pair);
  assert.equal(calls.map((c) => c.path), ['/register', '/drain', '/deregister']);
  const [, drain, deregister] = calls;
  assert.equal(drain!.body, { app_id: 'shop', app_instance_id: 'shop-1', service_name: 'orders', grace_period: '300ms' });
  assert.equal(deregister!.body, { app_id: 'shop', app_instance_id: 'shop-1', service_name: 'orders', service_port: 9090 });
  const shutdownAt = steps.find((s) => s.step === 'shutdown')!.at;
  assert.ok(shutdownAt < drain!.at, 'host shutdown before drain');
  const grace = deregister!.at - drain!.at;
  assert.ok(grace >= 295 && grace < 3000, `deregister ${grace.toFixed(0)} ms after drain (grace 300 ms)`);
  const status = pair.agent.status();
  assert.is(status.stage, 'stopped');
  assert.is(status.registered, false);
  assert.is(status.watch, 'off');
  assert.is(pair.peer.openStreams(), 0, 'the watch is closed');
  assert.is(pair.peer.callsTo('/register').length, 1, 'no replay after the drain');
});

test('serve failing: AgentRunError with stage serve, and still drained and deregistered', async () => {
  const boom = new Error('listen EADDRINUSE');
  pair = await startPair({ serve: async () => Promise.reject(boom) });
  const error = await pair.agent.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, AgentRunError);
  assert.is((error as AgentRunError).stage, 'serve');
  assert.is((error as AgentRunError).code, 'SW_AGENT_RUN');
  assert.is((error as AgentRunError).cause, boom);
  assert.equal(agentCalls(pair).map((c) => c.path), ['/register', '/drain', '/deregister']);
  assert.ok(pair.errors.some((e) => e instanceof AgentRunError && e.stage === 'serve'));
});

test('serve waits for the agent to report ready', async () => {
  pair = await startPair({ readyWaitMs: 5000 }, { ready: false });
  const controller = new AbortController();
  const running = pair.agent.run(controller.signal);
  await eventually(() => pair!.agent.status().registered, 'registered');
  await sleep(100);
  assert.is(pair.agent.status().stage, 'lifecycle', 'registered, but the agent is not ready');
  pair.peer.setReady(true);
  await eventually(() => pair!.agent.status().stage === 'serve', 'serving once a heartbeat says ready');
  controller.abort();
  await running;
});

test('never ready: AgentRunError with stage lifecycle after readyWaitMs, still deregistered', async () => {
  pair = await startPair({ readyWaitMs: 200 }, { ready: false });
  const started = Date.now();
  const error = await pair.agent.run().catch((e: unknown) => e);
  assert.instance(error, AgentRunError);
  assert.is((error as AgentRunError).stage, 'lifecycle');
  assert.instance((error as AgentRunError).cause, LifecycleRunError);
  assert.is(((error as AgentRunError).cause as Error).message, 'not ready to serve after 200 ms: the sidecar-agent did not report ready');
  assert.ok(Date.now() - started >= 200);
  assert.equal(agentCalls(pair).map((c) => c.path), ['/register', '/drain', '/deregister']);
});

test('a deregister answered 500 is an agent_shutdown failure of shutdown(); the facade drain() still resolves', async () => {
  pair = await startPair({ gracePeriod: 0 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  pair.peer.failNext('/deregister', 500, 1);
  const error = await pair.agent.shutdown().catch((e: unknown) => e);
  assert.instance(error, AgentRunError);
  assert.is((error as AgentRunError).stage, 'agent_shutdown');
  await pair.agent.drain();
  assert.is(pair.agent.status().stage, 'stopped');
});

test('deregister() is one request outside the chart; counters() reads the snapshot', async () => {
  pair = await startPair();
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  await pair.agent.deregister();
  assert.equal(agentCalls(pair).map((c) => c.path), ['/register', '/deregister']);
  assert.is(pair.agent.status().stage, 'idle', 'the chart did not move');
  assert.equal(pair.agent.counters(), {
    sidecar_connected: 1,
    sidecar_registered: 1,
    sidecar_register_replays_total: 1,
    sidecar_register_replay_failures_total: 0,
    sidecar_disconnects_total: 0,
    sidecar_watch_errors_total: 0,
    sidecar_invalid_events_total: 0,
  });
});

test('a register still in flight when the shutdown starts is answered before the drain goes out', async () => {
  pair = await startPair({ requestTimeoutMs: 300, gracePeriod: 0 });
  pair.peer.stallNext('/register', 1);
  pair.agent.start();
  await eventually(() => pair!.peer.callsTo('/register').length === 1, 'register sent (and held)');
  const shutdownAt = performance.now();
  await pair.agent.shutdown();
  const drain = pair.peer.callsTo('/drain')[0]!;
  assert.ok(drain.at - shutdownAt >= 200, `drain ${(drain.at - shutdownAt).toFixed(0)} ms after shutdown: it waited for the register`);
  assert.equal(agentCalls(pair).map((c) => c.path), ['/register', '/drain', '/deregister']);
});

test('stop() on a watching agent drains and deregisters; a second stop is a no-op', async () => {
  pair = await startPair({ gracePeriod: 0 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  await pair.agent.stop();
  await pair.agent.stop();
  assert.equal(agentCalls(pair).map((c) => c.path), ['/register', '/drain', '/deregister']);
});

test.run();
