import { Pool, type Dispatcher } from 'undici';
import { SidecarRequestError } from '../../errors/sidecar.js';
import { defaultSidecarPaths, type DeregisterRequest, type DrainRequest, type ServiceNodeBody, type SidecarClient, type SidecarPaths } from './types.js';

export interface SidecarHttpClientOptions {
  /** The sidecar-agent's admin address. Default `http://127.0.0.1:15010` (seed DefaultAdminBaseURL). */
  baseUrl?: string;
  paths?: Partial<SidecarPaths>;
  /** Per request: connect, answer headers, and body each within this (seed DefaultRequestTimeout). Default 3000. */
  requestTimeoutMs?: number;
  /** An undici dispatcher for `baseUrl`'s origin; default a keep-alive `Pool` owned (and closed) by the client. */
  dispatcher?: Dispatcher;
}

export interface SidecarHttpClient extends SidecarClient {
  /** Closes the pool if the client created it. */
  close(): Promise<void>;
}

/** Answers longer than this are cut when quoted in errors (the rest is not kept). */
const QUOTED_BODY_CHARS = 200;
/** Bytes of an error answer kept for the quote: enough for QUOTED_BODY_CHARS characters of UTF-8. */
const QUOTED_BODY_BYTES = QUOTED_BODY_CHARS * 4;

/**
 * The seed's `ApiClient` over undici: JSON POSTs on one keep-alive pool, so a register replay after
 * a reconnect reuses a warm connection. A non-2xx answer, a timeout or a connection failure is a
 * `SidecarRequestError` (`statusCode` null below HTTP).
 */
export function createSidecarHttpClient(options: SidecarHttpClientOptions = {}): SidecarHttpClient {
  const base = new URL(options.baseUrl ?? 'http://127.0.0.1:15010');
  const paths = { ...defaultSidecarPaths, ...options.paths };
  const timeoutMs = options.requestTimeoutMs ?? 3000;
  const basePath = base.pathname.replace(/\/$/, '');
  const owned = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Pool(base.origin, { connect: { timeout: timeoutMs } });

  // A service replays the same node on every reconnect: serialise each body object once (bodies
  // are treated as immutable once handed over; build a new object to send different content).
  const serialised = new WeakMap<object, string>();
  const serialise = (body: object) => {
    let text = serialised.get(body);
    if (text === undefined) serialised.set(body, (text = JSON.stringify(body)));
    return text;
  };

  const origin = base.origin;
  const headers = { 'content-type': 'application/json' };
  /** One endpoint: its path and URL (for errors) worked out once, not per call. */
  const endpoint = (operation: string, path: string) => ({ operation, path: basePath + path, url: origin + basePath + path });
  const endpoints = {
    register: endpoint('register', paths.register),
    drain: endpoint('drain', paths.drain),
    deregister: endpoint('deregister', paths.deregister),
  };

  /**
   * One JSON POST on undici's dispatch API with a handler of its own (no Readable body, no
   * promise per stage): a register replay is the watch's hot path. A 2xx settles the call at its
   * headers: the body is never used, and an answer the agent trickled held the call open for as
   * long as it liked (a register in flight holds the drain back, so the shutdown with it); undici
   * still reads it to the end, so the connection goes back to the pool. An error answer is read
   * for at most `timeoutMs` for its quote, then cut.
   */
  function post({ operation, path, url }: { operation: string; path: string; url: string }, body: object, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let settled = false;
      let statusCode = 0;
      let quoted: Buffer[] = [];
      let quotedBytes = 0;
      let quoteTimer: NodeJS.Timeout | undefined;

      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(quoteTimer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const answered = () => {
        const text = Buffer.concat(quoted).toString('utf8');
        quoted = [];
        const cut = text.length > QUOTED_BODY_CHARS ? `${text.slice(0, QUOTED_BODY_CHARS)}…` : text;
        settle(new SidecarRequestError(operation, url, statusCode, `answered ${statusCode}${cut ? `: ${cut}` : ''}`));
      };
      function onAbort() {
        const reason = signal!.reason;
        settle(reason);
        controller?.abort(reason instanceof Error ? reason : new Error(String(reason)));
      }
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          // Abandoned while queued: a throw makes undici drop the request and keep the socket (an abort destroys it).
          if (settled) throw new Error(`${operation} abandoned before it started`);
          controller = started;
        },
        onResponseStart(_, status) {
          if (status < 200) return; // 1xx: informational, the answer follows
          statusCode = status;
          if (status < 300) return settle();
          quoteTimer = setTimeout(() => {
            answered();
            controller?.abort(new Error(`${operation} answer not read within ${timeoutMs} ms`));
          }, timeoutMs);
        },
        onResponseData(_, chunk) {
          if (settled || quotedBytes >= QUOTED_BODY_BYTES) return;
          quoted.push(chunk);
          quotedBytes += chunk.length;
        },
        onResponseEnd() {
          if (!settled) answered();
        },
        onResponseError(_, error) {
          if (settled) return;
          if (statusCode >= 300) return answered(); // cut while quoting: the status is what matters
          settle(signal?.aborted ? signal.reason : new SidecarRequestError(operation, url, null, error.message ?? String(error), error));
        },
      };
      try {
        dispatcher.dispatch(
          { origin, path, method: 'POST', headers, body: serialise(body), headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
          handler,
        );
      } catch (error) {
        settle(new SidecarRequestError(operation, url, null, (error as Error).message ?? String(error), error));
      }
    });
  }

  return {
    register: (node: ServiceNodeBody, signal?: AbortSignal) => post(endpoints.register, node, signal),
    drain: (request: DrainRequest, signal?: AbortSignal) => post(endpoints.drain, request, signal),
    deregister: (request: DeregisterRequest, signal?: AbortSignal) => post(endpoints.deregister, request, signal),
    close: async () => {
      if (owned) await dispatcher.close();
    },
  };
}
