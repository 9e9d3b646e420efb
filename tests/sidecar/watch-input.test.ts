import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSidecarAgent, type SidecarAgent } from '../../actors/sidecar/sidecar.js';
import { eventually, sleep } from '../helpers/ports.js';
import { serviceOptions } from './helpers/peer.js';
import { startScriptedAgent, type ScriptedAgent } from './helpers/scripted.js';

/** What the agent itself puts on the watch stream: ids, frame batching, `retry:`. */
let agent: ScriptedAgent | undefined;
let sidecar: SidecarAgent | undefined;
test.after.each(async () => {
  await sidecar?.stop();
  await agent?.close();
  agent = sidecar = undefined;
});

const quick = { reconnectIntervalMs: 20, reconnectMaxMs: 100, registerRetryInitialMs: 20, gracePeriod: 0, requestTimeoutMs: 1000, seed: 3 };

test('an event id outside Latin-1 no longer breaks every reconnect: Last-Event-ID goes out as UTF-8', async () => {
  agent = await startScriptedAgent({
    streams: [
      { text: 'event: connected\nid: 节点-7\ndata: {}\n\n', end: true },
      { text: 'event: connected\nid: 8\ndata: {}\n\n', end: false },
    ],
  });
  sidecar = createSidecarAgent(serviceOptions, { baseUrl: agent.url, ...quick });
  sidecar.start();
  await eventually(() => agent!.callsTo('/watch').length >= 2, 'the watch reconnected', 3000);
  assert.is(agent.callsTo('/watch')[1]!.lastEventId, '节点-7');
  await eventually(() => sidecar!.status().watch === 'registered' && agent!.callsTo('/register').length === 2, 'replayed on the second stream');
  assert.is(sidecar.status().watchErrorCount, 1, 'only the close of the first stream');
});

test('an event id with a control character is not sent back (the header would be refused), the watch still reconnects', async () => {
  agent = await startScriptedAgent({
    streams: [
      { text: 'event: connected\nid: a\u0001b\ndata: {}\n\n', end: true },
      { text: 'event: connected\nid: 2\ndata: {}\n\n', end: false },
    ],
  });
  sidecar = createSidecarAgent(serviceOptions, { baseUrl: agent.url, ...quick });
  sidecar.start();
  await eventually(() => sidecar!.status().watch === 'registered' && agent!.callsTo('/register').length === 2, 'reconnected and replayed', 3000);
  assert.is(agent.callsTo('/watch')[1]!.lastEventId, null);
});

test('two connected frames in one chunk send exactly two registers (the second frame sent a third)', async () => {
  const connected = (id: number) => `event: connected\nid: ${id}\ndata: {}\n\n`;
  agent = await startScriptedAgent({ streams: [{ text: connected(1) + connected(2), end: false }] });
  sidecar = createSidecarAgent(serviceOptions, { baseUrl: agent.url, ...quick });
  sidecar.start();
  await eventually(() => sidecar!.status().registerReplayCount >= 1 && sidecar!.status().watch === 'registered', 'registered');
  await sleep(100);
  assert.is(agent.callsTo('/register').length, 2);
});

test('retry: 0 from the agent does not make a hot reconnect loop: the pause still doubles', async () => {
  // Every stream says retry 0 and ends at once, never `connected`: each attempt is a failure.
  agent = await startScriptedAgent({ streams: [{ text: 'retry: 0\n\n', end: true }] });
  sidecar = createSidecarAgent(serviceOptions, { baseUrl: agent.url, ...quick, reconnectMaxMs: 60_000 });
  sidecar.start();
  await sleep(300);
  const attempts = agent.callsTo('/watch').length;
  assert.ok(attempts >= 3 && attempts <= 12, `${attempts} watch attempts in 300 ms`);
});

test.run();
