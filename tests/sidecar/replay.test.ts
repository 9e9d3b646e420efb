import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, sleep } from '../helpers/ports.js';
import { startPair, type Pair } from './helpers/peer.js';

let pair: Pair | undefined;
test.after.each(async () => {
  await pair?.close();
  pair = undefined;
});

test('registers on connect with the ServiceNode in snake_case; the host inspector sees the actor', async () => {
  const inspected: string[] = [];
  pair = await startPair({
    id: 'orders-sidecar',
    inspect: (event) => inspected.push(event.type), rawServices: [{ serviceName: 'shop.Orders', methods: [{ methodName: 'Get' }, { methodName: 'Create' }] }] });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  const [call] = pair.peer.callsTo('/register');
  assert.equal(call?.body, {
    app: { id: 'shop', instance_id: 'shop-1', region: 'eu' },
    kernel: { worker_threads: 4 },
    service: { name: 'orders', version: '1.2.0' },
    protocol: 'grpc',
    server_port: 9090,
    managed_port: 9091,
    dns: 'orders.shop.svc.local',
    run_date: pair.agent.node.run_date,
    proto_count: 1,
    methods: ['/shop.Orders/Create', '/shop.Orders/Get'],
  });
  assert.ok(pair.agent.actor.getSnapshot().hasTag('ready'));
  assert.ok(inspected.includes('@xstate.snapshot') && inspected.includes('@xstate.event'));
  assert.is(pair.agent.actor.id, 'orders-sidecar');
});

test('replays register exactly once per connect over N reconnects, with Last-Event-ID', async () => {
  pair = await startPair();
  pair.agent.start();
  await eventually(() => pair!.peer.callsTo('/register').length === 1, 'first register');
  const reconnects = 8;
  for (let i = 0; i < reconnects; i++) {
    const before = pair.peer.counts['/watch'];
    pair.peer.dropStreams(i % 2 === 0 ? 'end' : 'destroy');
    await eventually(() => pair!.peer.counts['/watch'] > before, `reconnect ${i + 1}`);
    // Both sides: the agent received it, and the client saw its answer (a drop mid-request would cancel it).
    await eventually(() => pair!.peer.callsTo('/register').length === i + 2, `register ${i + 2} received`);
    await eventually(() => pair!.agent.status().registerReplayCount === i + 2, `register ${i + 2} answered`);
  }
  await sleep(150); // heartbeats keep flowing: none of them may replay
  assert.is(pair.peer.callsTo('/register').length, reconnects + 1);
  assert.is(pair.peer.connectedAt.length, reconnects + 1, 'one connected event per stream');
  const status = pair.agent.status();
  assert.is(status.registerReplayCount, reconnects + 1);
  assert.is(status.disconnectCount, reconnects);
  assert.is(status.lastEventType, 'heartbeat');
  const watches = pair.peer.callsTo('/watch');
  assert.is(watches[0]?.lastEventId, null);
  for (const watch of watches.slice(1)) assert.ok(Number(watch.lastEventId) > 0, 'every reconnect sends Last-Event-ID');
});

test('heartbeats never replay register', async () => {
  pair = await startPair({}, { heartbeatMs: 5 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  await eventually(() => pair!.peer.calls.length > 0 && pair!.agent.status().lastEventType === 'heartbeat', 'heartbeats');
  await sleep(100);
  assert.is(pair.peer.callsTo('/register').length, 1);
  assert.ok(Number(pair.agent.status().lastEventId) > 10, 'many heartbeats seen');
});

test('retry: from the stream sets the reconnect pause', async () => {
  pair = await startPair({ reconnectIntervalMs: 5 }, { retryMs: 400 });
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  pair.peer.dropStreams();
  const droppedAt = Date.now();
  await eventually(() => pair!.peer.counts['/watch'] === 2, 'reconnect', 3000);
  const waited = Date.now() - droppedAt;
  assert.ok(waited >= 190, `reconnected after ${waited} ms: retry 400 with equal jitter waits at least 200`);
});

test.run();
