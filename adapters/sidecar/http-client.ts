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

/** Answers longer than this are cut when quoted in errors (they are still read to the end). */
const QUOTED_BODY_CHARS = 200;

/** An error answer's text for the error message, read for at most `ms` (then cut: it is only quoted). */
async function quote(body: Dispatcher.ResponseData['body'], ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const text = await Promise.race([
    body.text().catch(() => ''),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(''), ms))),
  ]);
  clearTimeout(timer);
  if (!body.destroyed) body.destroy();
  return text;
}

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

  async function post({ operation, path, url }: { operation: string; path: string; url: string }, body: object, signal?: AbortSignal): Promise<void> {
    const payload = serialise(body);
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin,
        path,
        method: 'POST',
        headers,
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new SidecarRequestError(operation, url, null, (error as Error).message ?? String(error), error);
    }
    // Always read the body to its end: an unread body pins the connection and the pool stalls. A
    // 2xx answer's body is never used, so it is drained without decoding (undici's `dump()`), and
    // not waited for: the agent has answered, and an answer it trickled held the call open for as
    // long as it liked (a register in flight holds the drain back, so the shutdown with it).
    if (response.statusCode >= 200 && response.statusCode < 300) {
      response.body.dump({ limit: Number.MAX_SAFE_INTEGER }).catch(() => undefined);
      return;
    }
    const text = await quote(response.body, timeoutMs);
    const quoted = text.length > QUOTED_BODY_CHARS ? `${text.slice(0, QUOTED_BODY_CHARS)}…` : text;
    throw new SidecarRequestError(operation, url, response.statusCode, `answered ${response.statusCode}${quoted ? `: ${quoted}` : ''}`);
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
