import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

/**
 * The reference receiver of the delivery actor: an HTTP endpoint on loopback that records what
 * it receives and misbehaves on demand — fail the next N requests, answer 429 with Retry-After,
 * hang (never answer), or go down entirely and come back on the same port.
 * Used by the delivery tests, the fleet demo and the benchmark.
 */
export interface WebhookSinkOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Keep every request (method, path, headers, body); off for benchmarks. Default true. */
  record?: boolean;
  /** The status of a normal answer. Default 200. */
  status?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The status this request was answered with (0: hung, never answered). */
  answeredWith: number;
  at: number;
}

type Mode = { kind: 'fail'; status: number } | { kind: 'throttle'; retryAfter: string } | { kind: 'hang' };

export interface WebhookSink {
  readonly url: string;
  readonly port: number;
  /** Every request received, in order (when `record`). */
  readonly requests: RecordedRequest[];
  /** Requests received, recorded or not. */
  received(): number;
  /** Requests answered with 2xx. */
  accepted(): number;
  /** Answer the next `n` requests with `status` (default 500). */
  failNext(n: number, status?: number): void;
  /** Answer the next `n` requests 429 with `Retry-After: <retryAfter>` (seconds or an HTTP-date). */
  throttleNext(n: number, retryAfter: string | number): void;
  /** Never answer the next `n` requests (until the sink goes down or closes). */
  hangNext(n: number): void;
  /** Stop listening and drop every connection: the receiver is down. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  isUp(): boolean;
  /** How many requests carried this body (JSON bodies compared as text). */
  countBody(body: string): number;
  close(): Promise<void>;
}

export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const record = options.record ?? true;
  const okStatus = options.status ?? 200;
  const requests: RecordedRequest[] = [];
  const modes: Mode[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  let received = 0;
  let accepted = 0;
  let server: Server | undefined;
  let port = options.port ?? 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      received++;
      const mode = modes.shift();
      const entry: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: record ? Buffer.concat(chunks).toString('utf8') : '',
        answeredWith: 0,
        at: Date.now(),
      };
      if (record) requests.push(entry);
      if (mode?.kind === 'hang') {
        hung.add(res);
        res.once('close', () => hung.delete(res));
        return;
      }
      const status = mode?.kind === 'fail' ? mode.status : mode?.kind === 'throttle' ? 429 : okStatus;
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (mode?.kind === 'throttle') headers['retry-after'] = mode.retryAfter;
      const text = status < 300 ? '{"ok":true}' : `{"ok":false,"status":${status}}`;
      headers['content-length'] = Buffer.byteLength(text);
      entry.answeredWith = status;
      if (status >= 200 && status < 300) accepted++;
      res.writeHead(status, headers);
      res.end(text);
    });
  };

  const listen = async () => {
    const next = createServer(handle);
    next.keepAliveTimeout = 5000;
    port = await listenOnLoopback(next, port, sockets);
    server = next;
  };

  const stop = async () => {
    const current = server;
    if (!current) return;
    server = undefined;
    for (const res of hung) res.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const queue = (n: number, mode: Mode) => {
    for (let i = 0; i < n; i++) modes.push(mode);
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    received: () => received,
    accepted: () => accepted,
    failNext: (n, status = 500) => queue(n, { kind: 'fail', status }),
    throttleNext: (n, retryAfter) => queue(n, { kind: 'throttle', retryAfter: String(retryAfter) }),
    hangNext: (n) => queue(n, { kind: 'hang' }),
    down: stop,
    up: async () => {
      if (!server) await listen();
    },
    isUp: () => server !== undefined,
    countBody: (body) => requests.filter((r) => r.body === body).length,
    close: stop,
  };
}
