import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromCallback, fromPromise, SimulatedClock, type AnyEventObject } from 'xstate';
import { linkMachine, type LinkChartInput, type LinkEmitted } from '../../machines/link/link.js';
import { rearmDelays } from '../../machines/xstate-internals.js';

/** The chart against a fake socket (it opens at once and records commands) and a pending drain. */
function harness(input: Partial<LinkChartInput> = {}) {
  const clock = new SimulatedClock();
  const commands: string[] = [];
  const sockets: Array<(event: AnyEventObject) => void> = [];
  const machine = linkMachine.provide({
    actors: {
      socket: fromCallback(({ sendBack, receive }) => {
        sockets.push(sendBack);
        receive((command) => commands.push(command.type));
        queueMicrotask(() => sendBack({ type: 'socket.opened' }));
        return () => {};
      }),
      drain: fromPromise(() => new Promise<void>(() => {})),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { serverAddress: 'ws://127.0.0.1:1', agentId: 'a', reconnectJitter: 'none', ...input },
  });
  const emitted: LinkEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as LinkEmitted));
  actor.start();
  const state = () => JSON.stringify(actor.getSnapshot().value);
  const socket = (event: AnyEventObject) => sockets.at(-1)!(event);
  const tick = async (ms: number) => {
    clock.increment(ms);
    await Promise.resolve();
    await Promise.resolve();
  };
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { actor, clock, commands, sockets, emitted, state, socket, tick, flush };
}

test('chart: connect → handshaking sends hello; welcome → open (tagged ready)', async () => {
  const h = harness();
  h.actor.send({ type: 'link.connect' });
  await h.flush();
  assert.is(h.state(), '{"connection":"handshaking"}');
  assert.equal(h.commands, ['socket.hello']);
  h.socket({ type: 'frame.welcome' });
  assert.is(h.state(), '{"connection":"open"}');
  assert.ok(h.actor.getSnapshot().hasTag('ready'));
  assert.equal(h.emitted.map((e) => e.type), ['link.open']);
  h.actor.stop();
});

test('chart: handshake timeout → backoff with the reason; retry after the backoff delay', async () => {
  const h = harness({ handshakeTimeoutMs: 5000, reconnectInitialMs: 500 });
  h.actor.send({ type: 'link.connect' });
  await h.flush();
  await h.tick(4999);
  assert.is(h.state(), '{"connection":"handshaking"}');
  await h.tick(1);
  assert.is(h.state(), '"backoff"');
  assert.is(h.actor.getSnapshot().context.reason, 'handshake.timeout');
  assert.equal(h.emitted.at(-1), { type: 'link.down', reason: 'handshake.timeout', closeCode: null, retryInMs: 500 });
  await h.tick(499);
  assert.is(h.state(), '"backoff"');
  await h.tick(1);
  assert.is(h.state(), '{"connection":"handshaking"}', 'a new socket opened and sent hello');
  assert.is(h.sockets.length, 2, 'a new socket per attempt');
  h.actor.stop();
});

test('chart: ping every pingIntervalMs; a pong resets; two missed pongs → dead link', async () => {
  const h = harness({ pingIntervalMs: 1000 });
  h.actor.send({ type: 'link.connect' });
  await h.flush();
  h.socket({ type: 'frame.welcome' });
  await h.tick(1000);
  await h.tick(1000);
  assert.equal(h.commands, ['socket.hello', 'socket.ping', 'socket.ping']);
  h.socket({ type: 'frame.pong' });
  await h.tick(1000);
  await h.tick(1000);
  assert.is(h.state(), '{"connection":"open"}', 'a pong came in time');
  await h.tick(1000);
  assert.is(h.state(), '"backoff"');
  assert.is(h.actor.getSnapshot().context.reason, 'ping.timeout');
  h.actor.stop();
});

test('chart: reconnect delays grow exponentially and cap at reconnectMaxMs; an open resets them', async () => {
  const h = harness({ reconnectInitialMs: 100, reconnectMaxMs: 500 });
  h.actor.send({ type: 'link.connect' });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    await h.flush();
    h.socket({ type: 'socket.closed', code: 1006, reason: '' });
    const down = h.emitted.at(-1) as Extract<LinkEmitted, { type: 'link.down' }>;
    delays.push(down.retryInMs);
    assert.is(down.reason, 'socket closed 1006');
    assert.is(down.closeCode, 1006);
    await h.tick(down.retryInMs);
  }
  assert.equal(delays, [100, 200, 400, 500, 500]);
  await h.flush();
  h.socket({ type: 'frame.welcome' });
  h.socket({ type: 'socket.closed', code: 1001, reason: 'going away' });
  assert.equal(h.emitted.at(-1), { type: 'link.down', reason: 'socket closed 1001: going away', closeCode: 1001, retryInMs: 100 });
  h.actor.stop();
});

test('chart: a socket that never opens → backoff after connectTimeoutMs, reason connect.timeout', async () => {
  const clock = new SimulatedClock();
  const machine = linkMachine.provide({ actors: { socket: fromCallback(() => () => {}) } });
  const actor = createActor(machine, { clock, input: { serverAddress: 'ws://127.0.0.1:1', agentId: 'a', connectTimeoutMs: 3000 } }).start();
  actor.send({ type: 'link.connect' });
  clock.increment(2999);
  assert.is(JSON.stringify(actor.getSnapshot().value), '{"connection":"connecting"}');
  clock.increment(1);
  assert.is(JSON.stringify(actor.getSnapshot().value), '"backoff"');
  assert.is(actor.getSnapshot().context.reason, 'connect.timeout');
  actor.stop();
});

test('chart: the default jitter is full: each reconnect delay is anywhere in [0, exponential delay]', async () => {
  const h = harness({ reconnectJitter: undefined, reconnectInitialMs: 1000, reconnectMaxMs: 4000 });
  h.actor.send({ type: 'link.connect' });
  const delays: number[] = [];
  for (let i = 0; i < 40; i++) {
    await h.flush();
    h.socket({ type: 'socket.closed', code: 1006, reason: '' });
    delays.push((h.emitted.at(-1) as Extract<LinkEmitted, { type: 'link.down' }>).retryInMs);
    await h.tick(delays.at(-1)!);
  }
  const caps = delays.map((_, i) => Math.min(4000, 1000 * 2 ** i));
  assert.ok(delays.every((d, i) => d >= 0 && d <= caps[i]!), 'within [0, capped exponential]');
  assert.ok(delays.slice(3).some((d) => d < 2000), 'jittered well below the cap');
  assert.ok(new Set(delays).size > 30, 'spread, not one fixed delay');
  h.actor.stop();
});

test('chart: reject → rejected, final, no reconnect', async () => {
  const h = harness();
  h.actor.send({ type: 'link.connect' });
  await h.flush();
  h.socket({ type: 'frame.reject', reason: 'bad key' });
  assert.is(h.state(), '"rejected"');
  assert.is(h.actor.getSnapshot().status, 'done');
  await h.tick(60_000);
  assert.is(h.sockets.length, 1);
  assert.equal(h.emitted.at(-1), { type: 'link.rejected', reason: 'rejected: bad key' });
});

test('chart: close while open drains up to closeTimeoutMs, then closed with the reason', async () => {
  const h = harness({ closeTimeoutMs: 2000 });
  h.actor.send({ type: 'link.connect' });
  await h.flush();
  h.socket({ type: 'frame.welcome' });
  h.actor.send({ type: 'link.close' });
  assert.is(h.state(), '{"connection":"closing"}');
  await h.tick(1999);
  assert.is(h.state(), '{"connection":"closing"}');
  await h.tick(1);
  assert.is(h.state(), '"closed"');
  assert.equal(h.emitted.at(-1), { type: 'link.closed', reason: 'closed: close.timeout' });
});

test('chart: a restored snapshot re-arms the backoff deadline for the time that was left (runtime rearmDelays)', async () => {
  const h = harness({ reconnectInitialMs: 1000 });
  h.actor.send({ type: 'link.connect' });
  await h.flush();
  h.socket({ type: 'socket.error', message: 'ECONNREFUSED' });
  await h.tick(400);
  const persisted = h.actor.getPersistedSnapshot();
  h.actor.stop();
  const restored = createActor(linkMachine.provide({ actors: { socket: fromCallback(() => () => {}) } }), {
    clock: h.clock,
    snapshot: persisted,
    input: { serverAddress: 'ws://127.0.0.1:1', agentId: 'a' },
  }).start();
  assert.is(rearmDelays(restored), 1);
  assert.is(JSON.stringify(restored.getSnapshot().value), '"backoff"');
  assert.is(restored.getSnapshot().context.reason, 'socket error: ECONNREFUSED');
  h.clock.increment(599);
  assert.is(JSON.stringify(restored.getSnapshot().value), '"backoff"');
  h.clock.increment(1);
  assert.is(JSON.stringify(restored.getSnapshot().value), '{"connection":"connecting"}');
  restored.stop();
});

test.run();
