import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSidecarAgent, type SidecarAgent } from '../../actors/sidecar/sidecar.js';
import { AgentRunError, SidecarStoppedError } from '../../errors/sidecar.js';
import { startSidecarAgent, type SidecarAgentPeer } from '../../examples/peers/sidecar-agent.js';
import { eventually, sleep } from '../helpers/ports.js';
import { serviceOptions, startPair, type Pair } from './helpers/peer.js';

/** The facade around the chart: a stopped agent stays stopped; whatever a host throws, the run still deregisters. */
let pair: Pair | undefined;
let peer: SidecarAgentPeer | undefined;
let agent: SidecarAgent | undefined;
test.after.each(async () => {
  await pair?.close();
  await agent?.stop();
  await peer?.close();
  pair = agent = peer = undefined;
});

const agentCalls = (p: { calls: Array<{ path: string }> }) => p.calls.filter((c) => c.path !== '/watch').map((c) => c.path);

test('start() after stop() does not restart the chart (it reconnected forever against closed pools, past stop)', async () => {
  peer = await startSidecarAgent({ heartbeatMs: 50 });
  agent = createSidecarAgent(serviceOptions, { baseUrl: peer.url, reconnectIntervalMs: 10, reconnectMaxMs: 20 });
  await agent.stop();
  agent.start();
  await sleep(200);
  assert.is(agent.status().watchErrorCount, 0, 'no watch attempt at all');
  assert.is(peer.calls.length, 0);
});

test('run() after stop() rejects with SidecarStoppedError (it restarted the chart and waited for a ready that could not come)', async () => {
  peer = await startSidecarAgent({ heartbeatMs: 50 });
  agent = createSidecarAgent(serviceOptions, { baseUrl: peer.url, readyWaitMs: 60_000 });
  await agent.stop();
  const error = await Promise.race([agent.run().catch((e: unknown) => e), sleep(1000).then(() => 'still running')]);
  assert.instance(error, SidecarStoppedError);
  assert.is((error as SidecarStoppedError).code, 'SW_SIDECAR_STOPPED');
  await agent.shutdown(); // nothing to undo, resolves
  assert.is(peer.calls.length, 0);
});

test('serve rejecting a value that cannot be printed: AgentRunError of stage serve, still drained and deregistered (the chart errored, skipping both, and run() resolved)', async () => {
  pair = await startPair({ gracePeriod: 0, serve: () => Promise.reject(Object.create(null)) });
  const error = await pair.agent.run().catch((e: unknown) => e);
  assert.instance(error, AgentRunError);
  assert.is((error as AgentRunError).stage, 'serve');
  assert.equal(agentCalls(pair.peer), ['/register', '/drain', '/deregister']);
  assert.is(pair.agent.actor.getSnapshot().status, 'done');
});

test('host shutdown failing: AgentRunError of stage shutdown with its cause, still drained and deregistered', async () => {
  const boom = new Error('flush failed');
  let stop: () => void = () => undefined;
  pair = await startPair({
    gracePeriod: 0,
    serve: () => new Promise<void>((resolve) => (stop = resolve)),
    shutdown: () => {
      stop();
      throw boom;
    },
  });
  const sigterm = new AbortController();
  const running = pair.agent.run(sigterm.signal).catch((e: unknown) => e);
  await eventually(() => pair!.agent.status().stage === 'serve', 'serving');
  sigterm.abort();
  const error = await running;
  assert.instance(error, AgentRunError);
  assert.is((error as AgentRunError).stage, 'shutdown');
  assert.is((error as AgentRunError).cause, boom);
  assert.equal(agentCalls(pair.peer), ['/register', '/drain', '/deregister']);
  assert.ok(pair.errors.some((e) => e instanceof AgentRunError && e.stage === 'shutdown'), 'onError heard it');
});

test('stop() returns even after the chart errored (its watch stream stayed open and closing the pool waited for it forever)', async () => {
  let broken = false;
  // Any defect that errors the chart will do; here the clock refuses to arm a timer once the agent is registered.
  const clock = {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => {
      if (broken) throw new Error('clock broke');
      return setTimeout(fn, ms);
    },
    clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout),
  };
  const logged: string[] = [];
  pair = await startPair({ clock, logger: { debug() {}, info() {}, warn() {}, error: (message: string) => void logged.push(message) } as never });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  broken = true;
  // A replay that fails over the open stream: its retry timer cannot be armed, the chart errors.
  pair.peer.failNext('/register');
  pair.peer.emit('connected');
  await eventually(() => pair!.agent.actor.getSnapshot().status === 'error', 'the chart errored');
  assert.is(pair.peer.openStreams(), 1, 'the errored chart left its watch open');
  const stopped = await Promise.race([pair.agent.stop().then(() => 'stopped'), sleep(3000).then(() => 'hung')]);
  if (stopped === 'hung') await pair.peer.close(); // let the hung stop() end, so the failure below is the only harm
  assert.is(stopped, 'stopped');
  assert.ok(logged.includes('sidecar actor failed'));
});

test('run() rejects when the chart errored while serving (it resolved as a success, never drained nor deregistered)', async () => {
  let broken = false;
  const clock = {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => {
      if (broken) throw new Error('clock broke');
      return setTimeout(fn, ms);
    },
    clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout),
  };
  pair = await startPair({ clock, readyWaitMs: 0 });
  const running = pair.agent.run().catch((e: unknown) => e);
  await eventually(() => pair!.agent.status().stage === 'serve', 'serving');
  broken = true;
  pair.peer.dropStreams(); // the reconnect timer cannot be armed: the chart errors
  const error = await Promise.race([running, sleep(3000).then(() => 'still running')]);
  assert.instance(error, AgentRunError);
  assert.is((error as AgentRunError).stage, 'serve');
  assert.is(((error as AgentRunError).cause as Error).message, 'clock broke');
  assert.instance(await pair.agent.shutdown().catch((e: unknown) => e), AgentRunError, 'shutdown() cannot have drained either');
});

test.run();
