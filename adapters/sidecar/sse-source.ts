import { createParser, type ParseError } from 'eventsource-parser';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { dispatchTarget } from '../http/target.js';
import { WatchConnectionError, WatchHTTPStatusError, WatchStreamClosedError } from '../../errors/sidecar.js';
import type { SseFrame } from './types.js';

export interface WatchStreamOptions {
  /** The full `/watch` URL. */
  url: string;
  /** Sent as `Last-Event-ID` so the agent can resume; omitted when null. */
  lastEventId?: string | null;
  /** Aborting closes the stream; the returned promise then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Default: undici's global dispatcher. A `Pool` for the agent's origin keeps connects cheap. */
  dispatcher?: Dispatcher;
  /** Connect and answer-headers limit. Default 3000 (seed DefaultRequestTimeout). The body has none: staleness is the chart's. */
  connectTimeoutMs?: number;
  /** Largest frame (partial line plus buffered event) accepted before the stream is dropped. Default 1 MiB. */
  maxFrameChars?: number;
}

export interface WatchStreamHandlers {
  /** Every complete SSE frame, in order. */
  onFrame(frame: SseFrame): void;
  /** The stream's `retry:` field (a valid reconnect interval in ms). */
  onRetry(retryMs: number): void;
}

/** Bytes undici refuses in a header value (it throws before sending anything). */
const invalidHeaderByte = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * The `Last-Event-ID` header for an id the agent chose: its UTF-8 bytes, as EventSource sends it
 * (undici takes a header as a Latin-1 string, one byte per character). An id that no header can
 * carry (a control character) is not sent: the id comes from the agent, and a header undici refuses
 * would fail every reconnect for as long as the id is remembered.
 */
export function lastEventIdHeader(id: string): string | undefined {
  if (/^[\x20-\x7e]*$/.test(id)) return id;
  const bytes = Buffer.from(id, 'utf8').toString('latin1');
  return invalidHeaderByte.test(bytes) ? undefined : bytes;
}

/**
 * One watch connection: `GET` the SSE stream and feed its body to eventsource-parser until it
 * ends. The reconnect loop is not here but in the chart (its `disconnected` state), so the pause,
 * the jitter and `Last-Event-ID` are visible and testable.
 *
 * Never resolves: it rejects with why the stream ended: `WatchHTTPStatusError` (not 200),
 * `WatchConnectionError` (refused, reset, timed out, oversized frame), `WatchStreamClosedError`
 * (the agent ended the stream), or the abort reason when the caller closed it.
 *
 * It runs on undici's dispatch API with a handler of its own: each chunk goes from the HTTP parser
 * straight into the SSE parser, in the same tick, where `request()` put a Readable body, a promise
 * for the headers and an async iterator between them. That path sits between the agent's
 * `connected` frame and the register replay it triggers (the watch's hot path).
 */
export function readWatchStream(options: WatchStreamOptions, handlers: WatchStreamHandlers): Promise<never> {
  const { url, signal } = options;
  const timeoutMs = options.connectTimeoutMs ?? 3000;
  const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
  const lastEventId = options.lastEventId ? lastEventIdHeader(options.lastEventId) : undefined;
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;

  return new Promise<never>((_, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let oversized: ParseError | undefined;
    const decoder = new TextDecoder(); // streaming: a character split across two chunks must not become garbage
    const parser = createParser({
      onEvent: (message) => handlers.onFrame(message),
      onRetry: (retryMs) => handlers.onRetry(retryMs),
      // Unknown fields and bad `retry:` values are ignored, as EventSource does; only an oversized frame ends the stream.
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') oversized = error;
      },
      maxBufferSize: options.maxFrameChars ?? 1024 * 1024,
    });

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(error);
    };
    /** Ends the stream from our side: cuts the request (now, or as undici starts it). */
    const cut = (error: unknown) => {
      fail(error);
      controller?.abort(error instanceof Error ? error : new Error(String(error)));
    };
    function onAbort() {
      cut(signal.reason);
    }
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        // Closed while queued: a throw makes undici drop the request and keep the socket (an abort destroys it).
        if (settled) throw new Error('watch closed before it started');
        controller = started;
      },
      onResponseStart(_, statusCode) {
        if (statusCode < 200) return; // 1xx: informational, the answer follows
        // Not a stream: cut it rather than read a body that may never end (bodyTimeout is off for the watch).
        if (statusCode !== 200) cut(new WatchHTTPStatusError(statusCode, '', url));
      },
      onResponseData(_, chunk) {
        if (settled) return;
        try {
          parser.feed(decoder.decode(chunk, { stream: true }));
        } catch (error) {
          return cut(new WatchConnectionError(url, error)); // a frame handler threw: the stream is not trusted any more
        }
        if (oversized) cut(new WatchConnectionError(url, oversized));
      },
      onResponseEnd() {
        if (signal.aborted) return fail(signal.reason);
        fail(streamClosed(url));
      },
      onResponseError(_, error) {
        fail(signal.aborted ? signal.reason : new WatchConnectionError(url, error));
      },
    };

    try {
      // The agent's pool when given (a watch reconnects for the life of the process: its URL is parsed once).
      const dispatcher = options.dispatcher ?? getGlobalDispatcher();
      dispatcher.dispatch({ ...dispatchTarget(url), method: 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: 0 }, handler);
    } catch (error) {
      fail(new WatchConnectionError(url, error));
    }
  });
}

/**
 * The agent ending the stream is expected (every agent restart, once per reconnect): its error is
 * built without a stack trace, which said nothing (always this loop) and was most of its cost
 * (~7 µs warm, several times that between reconnects).
 */
function streamClosed(url: string): WatchStreamClosedError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new WatchStreamClosedError(url);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
