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

test.run();
