import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSidecarHttpClient, type SidecarHttpClient } from '../../adapters/sidecar/http-client.js';
import { SidecarRequestError } from '../../errors/sidecar.js';
import { readBody, startHttpServer, type TestHttpServer } from '../helpers/servers.js';

let server: TestHttpServer | undefined;
let client: SidecarHttpClient | undefined;
const timers = new Set<NodeJS.Timeout>();
test.after.each(async () => {
  for (const timer of timers) clearInterval(timer);
  timers.clear();
  await server?.close(); // first: a trickled answer keeps the client's pool from closing
  await client?.close();
  server = client = undefined;
});

/** Answers `status` at once, then one byte of body every 50 ms, never ending. */
const trickle = (status: number) =>
  startHttpServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.write('{');
    timers.add(setInterval(() => res.write(' '), 50));
  });

test('a 2xx answer whose body trickles settles the call at its headers (the register, and the drain behind it, stayed open as long as the agent trickled)', async () => {
  server = await trickle(200);
  client = createSidecarHttpClient({ baseUrl: server.url, requestTimeoutMs: 300 });
  const started = Date.now();
  const outcome = await Promise.race([client.register({} as never).then(() => 'answered'), new Promise((r) => setTimeout(() => r('hung'), 3000))]);
  assert.is(outcome, 'answered');
  assert.ok(Date.now() - started < 1000, `settled after ${Date.now() - started} ms`);
});

test('an error answer that trickles fails within requestTimeoutMs (it was read to its end, forever)', async () => {
  server = await trickle(500);
  client = createSidecarHttpClient({ baseUrl: server.url, requestTimeoutMs: 300 });
  const started = Date.now();
  const error = await Promise.race([client.drain({} as never).catch((e: unknown) => e), new Promise((r) => setTimeout(() => r('hung'), 3000))]);
  assert.instance(error, SidecarRequestError);
  assert.is((error as SidecarRequestError).statusCode, 500);
  assert.ok(Date.now() - started < 1500, `failed after ${Date.now() - started} ms`);
});

test('paths are configurable and a base URL path is kept in front of them', async () => {
  const seen: string[] = [];
  server = await startHttpServer(async (req, res) => {
    seen.push(`${req.method} ${req.url} ${await readBody(req)}`);
    res.writeHead(204).end();
  });
  client = createSidecarHttpClient({ baseUrl: `${server.url}/agent/`, paths: { register: '/v2/reg', drain: '/v2/drain' } });
  await client.register({ dns: 'x' } as never);
  await client.drain({ grace_period: '1s' } as never);
  await client.deregister({ service_port: 1 } as never);
  assert.equal(seen, ['POST /agent/v2/reg {"dns":"x"}', 'POST /agent/v2/drain {"grace_period":"1s"}', 'POST /agent/deregister {"service_port":1}']);
});

test('an error answer is quoted in the error, cut at 200 characters; a 1xx before the answer is skipped', async () => {
  server = await startHttpServer((req, res) => {
    req.resume();
    if (req.url === '/register') res.writeEarlyHints({ link: '</x>; rel=preload' });
    res.writeHead(req.url === '/register' ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(req.url === '/register' ? 'ok' : `${'é'.repeat(150)}${'z'.repeat(300)}`);
  });
  client = createSidecarHttpClient({ baseUrl: server.url });
  await client.register({} as never);
  const error = (await client.drain({} as never).catch((e: unknown) => e)) as SidecarRequestError;
  assert.instance(error, SidecarRequestError);
  assert.is(error.statusCode, 503);
  assert.ok(error.message.endsWith(`answered 503: ${'é'.repeat(150)}${'z'.repeat(50)}…`), error.message);
});

test('an aborted signal fails the call with its reason; one aborted before the call sends nothing', async () => {
  const arrived: string[] = [];
  server = await startHttpServer((req) => {
    arrived.push(req.url ?? '');
    req.resume(); // never answers
  });
  client = createSidecarHttpClient({ baseUrl: server.url, requestTimeoutMs: 5000 });
  const before = new AbortController();
  before.abort(new Error('stopped before'));
  assert.is(((await client.drain({} as never, before.signal).catch((e: unknown) => e)) as Error).message, 'stopped before');
  const during = new AbortController();
  setTimeout(() => during.abort(new Error('stopped during')), 50);
  const started = Date.now();
  assert.is(((await client.deregister({} as never, during.signal).catch((e: unknown) => e)) as Error).message, 'stopped during');
  assert.ok(Date.now() - started < 2000);
  assert.equal(arrived, ['/deregister']);
});

test.run();
