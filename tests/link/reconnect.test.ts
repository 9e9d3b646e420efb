import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAgentServer, type AgentServer } from '../../examples/peers/agent-server.js';
import { createLink, type Link } from '../../actors/link/link.js';
import { eventually, freePort } from '../helpers/ports.js';

let server: AgentServer | undefined;
let link: Link | undefined;
test.after(async () => {
  await link?.close();
  await server?.close();
});

test('reconnect: no server yet → backoff with the refusal as reason; reports queue; the server appears → open, queue sent', async () => {
  const port = await freePort();
  link = createLink({ serverAddress: `ws://127.0.0.1:${port}`, agentId: 'late', agentKey: 'k', reconnectInitialMs: 20, reconnectMaxMs: 80 });
  const downs: Array<{ reason: string; retryInMs: number }> = [];
  link.actor.on('link.down', (e) => downs.push(e));
  link.start();
  link.sendTaskConfirm('req', 'task-late');
  await eventually(() => downs.length >= 3, 'a few refused attempts');
  assert.match(downs[0]!.reason, /^socket closed 1006: .*ECONNREFUSED/);
  assert.ok(downs.every((d) => d.retryInMs <= 80), 'capped');
  assert.is(link.counters().queue_memory, 1);

  server = await startAgentServer({ port });
  await eventually(() => link!.isConnected(), 'open once the server listens', 3000);
  await eventually(() => server!.reportsFor('task-late').length === 1, 'the queued report');
  assert.is(link.status().reconnectAttempt, 0, 'an open resets the attempt count');
});

test.run();
