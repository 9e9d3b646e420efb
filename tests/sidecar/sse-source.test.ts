import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readWatchStream } from '../../adapters/sidecar/sse-source.js';
import type { SseFrame } from '../../adapters/sidecar/types.js';
import { WatchConnectionError, WatchHTTPStatusError, WatchStreamClosedError } from '../../errors/sidecar.js';
import { startHttpServer, type TestHttpServer } from '../helpers/servers.js';

let server: TestHttpServer | undefined;
test.after.each(async () => {
  await server?.close();
  server = undefined;
});

test('frames split across chunks, retry:, Last-Event-ID, then a clean close', async () => {
  let seenLastEventId: string | undefined;
  server = await startHttpServer((req, res) => {
    seenLastEventId = req.headers['last-event-id'] as string | undefined;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 2500\n\nevent: conn');
    // A multi-byte character split across two writes must survive.
    const text = Buffer.from('ected\nid: 5\ndata: {"message":"héllo"}\n\n');
    const cut = text.indexOf(0xc3) + 1;
    setTimeout(() => res.write(text.subarray(0, cut)), 5);
    setTimeout(() => res.end(text.subarray(cut)), 10);
  });
  const frames: SseFrame[] = [];
  const retries: number[] = [];
  const stackLimit = Error.stackTraceLimit;
  const error = await readWatchStream(
    { url: `${server.url}/watch`, lastEventId: '4', signal: new AbortController().signal },
    { onFrame: (f) => frames.push(f), onRetry: (ms) => retries.push(ms) },
  ).catch((e: unknown) => e);
  assert.instance(error, WatchStreamClosedError);
  assert.is((error as WatchStreamClosedError).code, 'SW_WATCH_STREAM_CLOSED');
  assert.ok((error as Error).message.includes('/watch'), 'the message names the stream');
  assert.is(Error.stackTraceLimit, stackLimit, 'building it without a stack left the stack limit as it was');
  assert.is(seenLastEventId, '4');
  assert.equal(retries, [2500]);
  assert.equal(frames, [{ event: 'connected', id: '5', data: '{"message":"héllo"}' }]);
});

test('non-200 is a WatchHTTPStatusError; a refused connection a WatchConnectionError', async () => {
  server = await startHttpServer((_req, res) => void res.writeHead(502).end('bad gateway'));
  const handlers = { onFrame() {}, onRetry() {} };
  const status = await readWatchStream({ url: `${server.url}/watch`, signal: new AbortController().signal }, handlers).catch((e: unknown) => e);
  assert.instance(status, WatchHTTPStatusError);
  assert.is((status as WatchHTTPStatusError).statusCode, 502);
  const url = `${server.url}/watch`;
  await server.close();
  server = undefined;
  const refused = await readWatchStream({ url, signal: new AbortController().signal }, handlers).catch((e: unknown) => e);
  assert.instance(refused, WatchConnectionError);
});

test('an oversized frame drops the stream; abort rejects with the reason', async () => {
  server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${'x'.repeat(5000)}`);
  });
  const handlers = { onFrame() {}, onRetry() {} };
  const oversized = await readWatchStream({ url: `${server.url}/watch`, signal: new AbortController().signal, maxFrameChars: 1000 }, handlers).catch((e: unknown) => e);
  assert.instance(oversized, WatchConnectionError);
  const controller = new AbortController();
  const reading = readWatchStream({ url: `${server.url}/watch`, signal: controller.signal }, handlers).catch((e: unknown) => e);
  setTimeout(() => controller.abort(new Error('closed by test')), 20);
  assert.is(((await reading) as Error).message, 'closed by test');
});

test('a non-200 answer whose body never ends fails at its headers; a 103 before a 200 is skipped', async () => {
  const timers = new Set<NodeJS.Timeout>();
  server = await startHttpServer((req, res) => {
    if (req.url === '/hints') {
      res.writeEarlyHints({ link: '</x>; rel=preload' });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: connected\ndata: {}\n\n');
      return;
    }
    res.writeHead(503, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), 20); // trickles forever: the watch has no body timeout
    timers.add(timer);
    res.once('close', () => clearInterval(timer));
  });
  const handlers = { onFrame() {}, onRetry() {} };
  try {
    const started = Date.now();
    const status = await readWatchStream({ url: `${server.url}/watch`, signal: new AbortController().signal }, handlers).catch((e: unknown) => e);
    assert.instance(status, WatchHTTPStatusError);
    assert.is((status as WatchHTTPStatusError).statusCode, 503);
    assert.ok(Date.now() - started < 1000, `failed after ${Date.now() - started} ms`);
    const frames: SseFrame[] = [];
    const closed = await readWatchStream({ url: `${server.url}/hints`, signal: new AbortController().signal }, { onFrame: (f) => frames.push(f), onRetry() {} }).catch((e: unknown) => e);
    assert.instance(closed, WatchStreamClosedError);
    assert.equal(frames.map((f) => f.event), ['connected']);
  } finally {
    for (const timer of timers) clearInterval(timer);
  }
});

test('a frame handler that throws ends the stream as a WatchConnectionError, not an uncaught exception', async () => {
  server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: connected\ndata: {}\n\n');
  });
  const error = await readWatchStream(
    { url: `${server.url}/watch`, signal: new AbortController().signal },
    {
      onFrame() {
        throw new Error('handler bug');
      },
      onRetry() {},
    },
  ).catch((e: unknown) => e);
  assert.instance(error, WatchConnectionError);
  assert.ok((error as Error).message.includes('handler bug'));
});

test.run();
