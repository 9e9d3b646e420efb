import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WatchStreamClosedError } from '../../errors/sidecar.js';
import { eventually } from '../helpers/ports.js';
import { startPair, type Pair } from './helpers/peer.js';

let pair: Pair | undefined;
test.after.each(async () => {
  await pair?.close();
  pair = undefined;
});

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** The seed's Status struct, field by field (lower camel case). */
const seedFields = [
  'connected', 'registered', 'lastServiceName', 'lastServicePort', 'lastEventType', 'lastEventId', 'lastEventAt',
  'lastConnectedAt', 'lastDisconnectedAt', 'disconnectCount', 'registerReplayCount', 'registerReplayFailureCount',
  'lastErrorKind', 'lastError', 'lastErrorAt',
];

test('status(): every field of the seed\'s Status after a stream the agent closed (ErrWatchStreamClosed) and a reconnect', async () => {
  pair = await startPair();
  const fresh = pair.agent.status();
  for (const field of seedFields) assert.ok(field in fresh, `status has ${field}`);
  assert.equal([fresh.lastServiceName, fresh.lastServicePort, fresh.lastConnectedAt, fresh.lastErrorAt], ['', 0, '', ''], 'empty until it happens');
  pair.agent.start();
  await eventually(() => pair!.agent.status().registered, 'registered');
  pair.peer.dropStreams('end');
  await eventually(() => pair!.agent.status().registerReplayCount === 2 && pair!.agent.status().watch === 'registered', 'reconnected and replayed');
  const s = pair.agent.status();
  assert.is(s.connected, true);
  assert.is(s.registered, true);
  assert.is(s.lastServiceName, 'orders');
  assert.is(s.lastServicePort, 9090);
  assert.ok(['connected', 'heartbeat'].includes(s.lastEventType), s.lastEventType);
  assert.ok(Number(s.lastEventId) >= 2, s.lastEventId);
  for (const at of [s.lastEventAt, s.lastConnectedAt, s.lastDisconnectedAt, s.lastErrorAt]) assert.match(at, iso);
  assert.ok(s.lastDisconnectedAt <= s.lastConnectedAt, 'reconnected after the disconnect');
  assert.is(s.disconnectCount, 1);
  assert.is(s.registerReplayFailureCount, 0);
  assert.is(s.lastErrorKind, 'watch_closed');
  assert.match(s.lastError, /closed by the sidecar-agent/);
  assert.is(s.watchErrorCount, 1);
  assert.is(s.sidecar.status, 'ready');
  assert.ok(pair.errors.some((e) => e instanceof WatchStreamClosedError && e.code === 'SW_WATCH_STREAM_CLOSED'));
});

test.run();
