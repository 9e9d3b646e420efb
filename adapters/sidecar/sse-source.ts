import { createParser, type ParseError } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';
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

/** The watch URL as undici's dispatcher takes it, parsed once per URL (a process watches one). */
let lastTarget: { url: string; origin: string; path: string } | undefined;
function watchTarget(url: string): { origin: string; path: string } {
  if (lastTarget?.url !== url) {
    const { origin, pathname, search } = new URL(url);
    lastTarget = { url, origin, path: pathname + search };
  }
  return { origin: lastTarget.origin, path: lastTarget.path };
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
 * One watch connection: `GET` the SSE stream over undici's streaming body and feed it to
 * eventsource-parser until it ends. The reconnect loop is not here but in the chart (its
 * `disconnected` state), so the pause, the jitter and `Last-Event-ID` are visible and testable.
 *
 * Never resolves: it rejects with why the stream ended: `WatchHTTPStatusError` (not 200),
 * `WatchConnectionError` (refused, reset, timed out, oversized frame), `WatchStreamClosedError`
 * (the agent ended the stream), or the abort reason when the caller closed it.
 */
export async function readWatchStream(options: WatchStreamOptions, handlers: WatchStreamHandlers): Promise<never> {
  const { url, signal } = options;
  const timeoutMs = options.connectTimeoutMs ?? 3000;
  const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
  const lastEventId = options.lastEventId ? lastEventIdHeader(options.lastEventId) : undefined;
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;

  let response: Dispatcher.ResponseData;
  try {
    // With a dispatcher (the agent's pool) call it directly: undici's top-level `request(url)`
    // parses the URL string again on every call, and a watch reconnects for the life of the process.
    response = await (options.dispatcher
      ? options.dispatcher.request({ ...watchTarget(url), method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: 0 })
      : request(url, { method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: 0 }));
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new WatchConnectionError(url, error);
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw new WatchHTTPStatusError(response.statusCode, '', url);
  }

  let oversized: ParseError | undefined;
  const parser = createParser({
    onEvent: (message) => handlers.onFrame(message),
    onRetry: (retryMs) => handlers.onRetry(retryMs),
    // Unknown fields and bad `retry:` values are ignored, as EventSource does; only an oversized frame ends the stream.
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') oversized = error;
    },
    maxBufferSize: options.maxFrameChars ?? 1024 * 1024,
  });
  try {
    // A streaming decoder: a multi-byte character split across two chunks must not become garbage.
    const decoder = new TextDecoder();
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (oversized) throw oversized;
    }
  } catch (error) {
    response.body.destroy();
    if (signal.aborted) throw signal.reason;
    throw new WatchConnectionError(url, error);
  }
  if (signal.aborted) throw signal.reason;
  throw streamClosed(url);
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
