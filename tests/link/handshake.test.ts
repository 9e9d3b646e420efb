import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLink, type Link } from '../../actors/link/link.js';
import { startAgentServer, type AgentServer } from '../../examples/peers/agent-server.js';
import { eventually } from '../helpers/ports.js';

let server: AgentServer;
const links: Link[] = [];
const open = (overrides: Partial<Parameters<typeof createLink>[0]> = {}) => {
  const link = createLink({ serverAddress: server.url, agentId: 'agent-1', agentKey: 'secret', reconnectInitialMs: 20, reconnectMaxMs: 100, ...overrides });
  links.push(link);
  return link;
};

test.before(async () => {
  server = await startAgentServer({ keys: { 'agent-1': 'secret' } });
});
test.after(async () => {
  await Promise.all(links.map((l) => l.close()));
  await server.close();
});

test('handshake ok: hello → welcome → open, tagged ready, reason welcome', async () => {
  const link = open();
  const opened: unknown[] = [];
  link.actor.on('link.open', (e) => opened.push(e));
  await link.connect();
  assert.ok(link.isConnected());
  assert.is(link.status().state, 'connection.open');
  assert.is(link.status().reason, 'welcome');
  assert.equal(server.agents(), ['agent-1']);
  assert.is(opened.length, 1);
  await link.close();
  assert.is(link.status().state, 'closed');
  assert.is(link.isConnected(), false);
});

test('handshake reject: bad key → rejected for good, one hello only (no retry storm)', async () => {
  const link = open({ agentKey: 'wrong' });
  const rejected: Array<{ reason: string }> = [];
  link.actor.on('link.rejected', (e) => rejected.push(e));
  const hellos = server.counts.hellos;
  try {
    await link.connect();
    assert.unreachable('connect must reject');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_LINK_REJECTED');
  }
  assert.is(link.status().state, 'rejected');
  assert.match(link.status().reason, 'bad agent key');
  assert.equal(rejected.map((e) => e.reason), ['rejected: bad agent key']);
  await new Promise((r) => setTimeout(r, 150));
  assert.is(server.counts.hellos - hellos, 1);
});

test('handshake timeout: a silent server → backoff with reason handshake.timeout, then retries', async () => {
  server.setHandshake('silent');
  try {
    const link = open({ handshakeTimeoutMs: 80 });
    const downs: Array<{ reason: string }> = [];
    link.actor.on('link.down', (e) => downs.push(e));
    link.start();
    await eventually(() => downs.length >= 2, 'two handshake timeouts', 3000);
    assert.is(downs[0]!.reason, 'handshake.timeout');
    server.setHandshake('welcome');
    await eventually(() => link.isConnected(), 'link open after the server answers', 3000);
  } finally {
    server.setHandshake('welcome');
  }
});

test('ping timeout: two missed pongs → dead link, reconnects', async () => {
  const link = open({ pingIntervalMs: 40 });
  await link.connect();
  const downs: Array<{ reason: string }> = [];
  link.actor.on('link.down', (e) => downs.push(e));
  server.setPong(false);
  try {
    await eventually(() => downs.length >= 1, 'ping timeout', 3000);
    assert.is(downs[0]!.reason, 'ping.timeout');
  } finally {
    server.setPong(true);
  }
  await eventually(() => link.isConnected(), 'reconnected', 3000);
  // With pongs answered the link stays up across several ping periods.
  const before = downs.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.is(downs.length, before);
});

test('config: missing serverAddress, agentId or agentKey → typed config error up front', () => {
  for (const field of ['serverAddress', 'agentId', 'agentKey'] as const) {
    const options = { serverAddress: 'ws://127.0.0.1:1', agentId: 'a', agentKey: 'k', [field]: '' };
    try {
      createLink(options);
      assert.unreachable(`${field} must be required`);
    } catch (error) {
      assert.is((error as { code: string }).code, 'SW_CONFIG');
      assert.is((error as { details: { field: string } }).details.field, field);
    }
  }
  assert.throws(() => createLink({ serverAddress: 'http://x', agentId: 'a', agentKey: 'k' }), /ws:\/\/ or wss:\/\//);
  assert.throws(() => createLink({ serverAddress: 'ws://x', agentId: 'a', agentKey: 'k', pingIntervalMs: -1 }), /pingIntervalMs/);
});

test.run();
