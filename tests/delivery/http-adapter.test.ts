import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHttpClient } from '../../adapters/http/request.js';
import { parseRetryAfter } from '../../adapters/http/retry-after.js';
import { freePort } from '../helpers/ports.js';
import { startHttpServer, type TestHttpServer } from '../helpers/servers.js';

const client = createHttpClient({ connections: 4 });
const servers: TestHttpServer[] = [];
test.after(async () => {
  await client.close();
  for (const server of servers) await server.close();
});

const exchange = (url: string, timeoutMs = 1000, maxResponseBytes = 1024) =>
  client.send({ url, method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi', timeoutMs, maxResponseBytes });

test('Retry-After: delay-seconds, HTTP-date, garbage, cap', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.is(parseRetryAfter('120', now), 120_000);
  assert.is(parseRetryAfter(['3', '9'], now), 3000);
  assert.is(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.is(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0, 'a date in the past: no wait');
  assert.is(parseRetryAfter('soon', now), null);
  assert.is(parseRetryAfter('-5', now), null);
  assert.is(parseRetryAfter(undefined, now), null);
  assert.is(parseRetryAfter('99999999', now), 86_400_000, 'capped at 24 h');
});

test('an exchange returns status, headers and body; the answer size is bounded with or without content-length', async () => {
  const server = await startHttpServer((req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(200);
      for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
      res.end();
      return;
    }
    if (req.url === '/big') {
      res.writeHead(200, { 'content-length': 5000 });
      res.end('y'.repeat(5000));
      return;
    }
    res.writeHead(429, { 'retry-after': '7', 'content-length': 2 });
    res.end('no');
  });
  servers.push(server);
  const answer = await exchange(`${server.url}/ok`);
  assert.is(answer.statusCode, 429);
  assert.is(answer.body, 'no');
  assert.is(answer.headers['retry-after'], '7');
  for (const path of ['/chunked', '/big']) {
    try {
      await exchange(`${server.url}${path}`);
      assert.unreachable(`${path} should be refused`);
    } catch (error) {
      assert.is((error as { code: string }).code, 'SW_DELIVERY_RESPONSE_TOO_LARGE', path);
    }
  }
});

test('no answer within the timeout: SW_DELIVERY_TIMEOUT; nobody listening: SW_DELIVERY_REQUEST_FAILED', async () => {
  const server = await startHttpServer(() => {}); // never answers
  servers.push(server);
  const started = Date.now();
  try {
    await exchange(server.url, 150);
    assert.unreachable('should time out');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_DELIVERY_TIMEOUT');
    assert.ok(Date.now() - started < 1000);
  }
  const port = await freePort();
  try {
    await exchange(`http://127.0.0.1:${port}/`);
    assert.unreachable('should fail');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_DELIVERY_REQUEST_FAILED');
    assert.is((error as { details: { cause?: string } }).details.cause, 'ECONNREFUSED');
  }
});

test('requestTimeoutMs bounds the whole exchange: a body that trickles in forever times out (each pause was under the timeout)', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), 50);
    timers.add(timer);
    res.once('close', () => (clearInterval(timer), timers.delete(timer)));
  });
  servers.push(server);
  const started = Date.now();
  try {
    await exchange(server.url, 400, 1 << 20);
    assert.unreachable('should time out');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_DELIVERY_TIMEOUT');
    const took = Date.now() - started;
    assert.ok(took >= 350 && took < 3000, `timed out after ${took} ms`);
  } finally {
    for (const timer of timers) clearInterval(timer);
  }
});

test('an exchange aborted by its caller fails at once, not as a timeout', async () => {
  const server = await startHttpServer(() => {}); // never answers
  servers.push(server);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('actor stopped')), 50);
  const started = Date.now();
  try {
    await client.send({ url: server.url, method: 'GET', headers: {}, body: '', timeoutMs: 5000, maxResponseBytes: 1024, signal: controller.signal });
    assert.unreachable('should be aborted');
  } catch (error) {
    assert.is((error as { code: string }).code, 'SW_DELIVERY_REQUEST_FAILED');
    assert.ok(Date.now() - started < 2000);
  }
});

test('a chunked answer within the limit arrives whole; an informational 103 before it is skipped', async () => {
  const server = await startHttpServer((req, res) => {
    if (req.url === '/hints') res.writeEarlyHints({ link: '</style.css>; rel=preload' });
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < 5; i++) res.write(`part${i};`);
    res.end('é');
  });
  servers.push(server);
  for (const path of ['/plain', '/hints']) {
    const answer = await exchange(`${server.url}${path}`);
    assert.is(answer.statusCode, 200, path);
    assert.is(answer.body, 'part0;part1;part2;part3;part4;é', path);
  }
});

test('an exchange that times out while queued for a connection is never sent, and costs no connection', async () => {
  const single = createHttpClient({ connections: 1 });
  const arrived: string[] = [];
  let connections = 0;
  const server = await startHttpServer((req, res) => {
    arrived.push(req.url ?? '');
    if (req.url === '/slow') setTimeout(() => res.end('late'), 400);
    else res.end('ok');
  });
  server.server.on('connection', () => connections++);
  servers.push(server);
  try {
    const slow = single.send({ url: `${server.url}/slow`, method: 'GET', headers: {}, body: '', timeoutMs: 2000, maxResponseBytes: 1024 });
    const queued = Array.from({ length: 3 }, (_, i) =>
      single.send({ url: `${server.url}/queued${i}`, method: 'GET', headers: {}, body: '', timeoutMs: 100, maxResponseBytes: 1024 }).catch((e: unknown) => e),
    );
    for (const error of await Promise.all(queued)) assert.is((error as { code: string }).code, 'SW_DELIVERY_TIMEOUT');
    assert.is((await slow).body, 'late');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(arrived, ['/slow'], 'the timed-out requests never reached the receiver');
    assert.is((await single.send({ url: `${server.url}/after`, method: 'GET', headers: {}, body: '', timeoutMs: 1000, maxResponseBytes: 1024 })).body, 'ok');
    assert.is(connections, 1, 'dropping the abandoned requests kept the one connection');
  } finally {
    await single.close();
  }
});

test('a signal aborted before the call fails it without sending anything', async () => {
  const arrived: string[] = [];
  const server = await startHttpServer((req, res) => void (arrived.push(req.url ?? ''), res.end('ok')));
  servers.push(server);
  const controller = new AbortController();
  controller.abort(new Error('stopped before'));
  const error = await client
    .send({ url: server.url, method: 'GET', headers: {}, body: '', timeoutMs: 1000, maxResponseBytes: 1024, signal: controller.signal })
    .catch((e: unknown) => e);
  assert.is((error as { code: string }).code, 'SW_DELIVERY_REQUEST_FAILED');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(arrived, []);
});

test.run();
