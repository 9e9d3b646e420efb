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

  async function post(operation: string, path: string, body: object, signal?: AbortSignal): Promise<void> {
    const fullPath = basePath + path;
    const url = base.origin + fullPath;
    const payload = serialise(body);
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: base.origin,
        path: fullPath,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new SidecarRequestError(operation, url, null, (error as Error).message ?? String(error), error);
    }
    // Always read the body: an unread body pins the connection and the pool stalls.
    const text = await response.body.text().catch(() => '');
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const quoted = text.length > QUOTED_BODY_CHARS ? `${text.slice(0, QUOTED_BODY_CHARS)}…` : text;
      throw new SidecarRequestError(operation, url, response.statusCode, `answered ${response.statusCode}${quoted ? `: ${quoted}` : ''}`);
    }
  }

  return {
    register: (node: ServiceNodeBody, signal?: AbortSignal) => post('register', paths.register, node, signal),
    drain: (request: DrainRequest, signal?: AbortSignal) => post('drain', paths.drain, request, signal),
    deregister: (request: DeregisterRequest, signal?: AbortSignal) => post('deregister', paths.deregister, request, signal),
    close: async () => {
      if (owned) await dispatcher.close();
    },
  };
}
