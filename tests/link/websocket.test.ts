import type { Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wsFactory, type WebSocketConnection } from '../../adapters/link/websocket.js';
import { eventually, freePort } from '../helpers/ports.js';
import { startWsServer, type TestWsServer } from '../helpers/servers.js';

let server: TestWsServer;
const received: string[] = [];
const open: WebSocketConnection[] = [];

test.before(async () => {
  server = await startWsServer();
  server.wss.on('connection', (ws) => ws.on('message', (data) => received.push(data.toString())));
});
test.after(async () => {
  for (const connection of open) connection.terminate();
  await server.close();
});

const connect = (url: string) => {
  const events: string[] = [];
  const messages: string[] = [];
  let closed: { code: number; reason: string } | null = null;
  const connection = wsFactory()(url, {
    open: () => events.push('open'),
    message: (text) => messages.push(text),
    close: (code, reason) => {
      closed = { code, reason };
      events.push('close');
    },
  });
  open.push(connection);
  return { connection, events, messages, closed: () => closed };
};

test('ws factory: a burst written in one tick (coalesced, chunked) arrives complete and in order', async () => {
  const c = connect(server.url);
  await eventually(() => c.connection.isOpen(), 'open');
  received.length = 0;
  const frame = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(100) });
  for (let i = 0; i < 2000; i++) assert.ok(c.connection.send(frame(i))); // ≈ 230 KB in one tick
  await eventually(() => received.length === 2000, 'every frame');
  assert.ok(received.every((text, i) => text === frame(i)));
  c.connection.close();
  await eventually(() => c.events.includes('close'), 'closed');
  assert.is(c.connection.send('late'), false, 'a closed connection refuses writes instead of throwing');
});

test('ws factory: a refused connection ends in close, with the error as reason', async () => {
  const port = await freePort();
  const c = connect(`ws://127.0.0.1:${port}`);
  await eventually(() => c.closed(), 'close');
  assert.equal(c.events, ['close']);
  assert.is(c.closed()!.code, 1006);
  assert.match(c.closed()!.reason, 'ECONNREFUSED');
});

test('regression: closing towards a peer that never answers the close frame ends within closeTimeoutMs (ws waited 30 s)', async () => {
  const hung = await startWsServer();
  // The peer's process is stuck (think SIGSTOP): TCP is up, nothing is read or answered.
  hung.wss.on('connection', (ws) => (ws as unknown as { _socket: Socket })._socket.pause());
  let closed = false;
  const connection = wsFactory({ closeTimeoutMs: 200 })(hung.url, { open() {}, message() {}, close: () => (closed = true) });
  open.push(connection);
  try {
    await eventually(() => connection.isOpen(), 'open');
    const started = Date.now();
    connection.close(1000, 'bye');
    await eventually(() => closed, 'the socket released', 3000);
    assert.ok(Date.now() - started < 2000, `released after ${Date.now() - started} ms`);
  } finally {
    await hung.close();
  }
});

test.run();
