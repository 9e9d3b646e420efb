import type { Dispatcher } from 'undici';
import { readWatchStream } from '../../adapters/sidecar/sse-source.js';
import { readWatchFrame } from '../../adapters/sidecar/watch-event.js';
import { isStatewireError } from '../../errors/base.js';
import { WatchConnectionError, WatchEventParseError, WatchHTTPStatusError, WatchStreamClosedError } from '../../errors/sidecar.js';
import type { SidecarErrorInfo, SidecarEvent } from '../../machines/sidecar/options.js';

export interface WatchStreamDeps {
  watchUrl: string;
  dispatcher?: Dispatcher;
  connectTimeoutMs: number;
  /** Keeps the real error of a kind for `onError` / `run()`; returns it. */
  remember<T>(kind: string, error: T): T;
  /** Called as a `connected` frame is parsed, before the chart hears of it (see below). */
  onConnectedFrame(): void;
}

const chartEventType = { connected: 'watch.connected', heartbeat: 'watch.heartbeat', disconnected: 'watch.disconnected' } as const;

export function errorInfo(kind: string, error: unknown): SidecarErrorInfo {
  if (isStatewireError(error)) return { kind, code: error.code, message: error.message };
  return { kind, code: 'SW_UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

function failureKind(error: unknown): string {
  if (error instanceof WatchHTTPStatusError) return 'watch_http_status';
  if (error instanceof WatchStreamClosedError) return 'watch_closed';
  return 'watch_connection';
}

/**
 * One watch connection as the chart's `watcher` actor opens it (per `stream.open`): frames become `watch.*`
 * events, the end of the stream one `watch.failed`. Returns the stop function.
 *
 * Events reach the chart in order, one `setImmediate` after the chunk that carried them. undici
 * writes a request to its socket in a later phase of the event loop, not inside `request()`, so a
 * transition run synchronously here would sit between the register replay started for a
 * `connected` frame and the wire; deferring the batch lets the request leave first.
 */
export function openWatchStream(deps: WatchStreamDeps, lastEventId: string | null, sendBack: (event: SidecarEvent) => void): () => void {
  const controller = new AbortController();
  /** Stopped by the chart: nothing more reaches it. */
  let closed = false;
  /** The request has settled (the stream ended or failed): there is nothing left to abort. */
  let settled = false;
  const outbox: SidecarEvent[] = [];
  const flush = () => {
    for (const event of outbox.splice(0)) {
      // Frames of one chunk can outlive the state that opened the stream: drop them once closed.
      if (!closed) sendBack(event);
    }
  };
  const send = (event: SidecarEvent) => {
    if (closed) return;
    if (outbox.push(event) === 1) setImmediate(flush);
  };

  readWatchStream(
    {
      url: deps.watchUrl,
      lastEventId,
      signal: controller.signal,
      connectTimeoutMs: deps.connectTimeoutMs,
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    },
    {
      onFrame(frame) {
        const read = readWatchFrame(frame);
        if (read instanceof WatchEventParseError) {
          send({ type: 'watch.invalid', error: errorInfo('watch_parse', deps.remember('watch_parse', read)) });
          return;
        }
        if (read.type === 'connected' && !closed) deps.onConnectedFrame();
        send({ type: chartEventType[read.type], data: read.fields });
      },
      onRetry: (retryMs) => send({ type: 'watch.retry', retryMs }),
    },
  ).catch((error: unknown) => {
    settled = true;
    if (closed) return;
    const kind = failureKind(error);
    const typed = isStatewireError(error) ? error : new WatchConnectionError(deps.watchUrl, error);
    send({ type: 'watch.failed', error: errorInfo(kind, deps.remember(kind, typed)) });
  });
  return () => {
    closed = true;
    // Every reconnect stops a stream the agent already ended; aborting a settled request costs a
    // DOMException and undici's abort handling for nothing (measured ~60 µs per reconnect).
    if (!settled) controller.abort();
  };
}
