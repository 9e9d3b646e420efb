/**
 * A reference sidecar-agent: the peer the `sidecar` actor talks to, for tests, the fleet demo and
 * the benchmark. It serves the interface of the seed's agent on loopback:
 *
 * - `GET /watch`: SSE; `connected` on every new stream (with `retry:` first when configured), then a
 *   `heartbeat` every `heartbeatMs`. Every event has an `id:` and a JSON `data:`
 *   `{message, service, status, lifecycle_state, ready, generated_at}`.
 * - `POST /register`, `POST /drain`, `POST /deregister`: record the JSON body, answer `{ok: true}`.
 *
 * Every call is recorded with its arrival time (`performance.now()`), and faults are one call away:
 * drop the streams, send garbage, answer 500 the next N times, flap, go away and come back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface SidecarAgentOptions {
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Heartbeat interval; 0 sends none. Default 1000. */
  heartbeatMs?: number;
  /** Sent as the stream's `retry:` field before `connected`; null sends none. Default null. */
  retryMs?: number | null;
  /** The `ready` field of every event. Default true. */
  ready?: boolean;
  /** The `service` field of every event. Default `sidecar-agent`. */
  service?: string;
  /** Calls kept in `calls` (oldest dropped first). Default 10 000. */
  maxRecordedCalls?: number;
  /** Called for every recorded call, as it arrives (benchmarks time with it). */
  onCall?: (call: RecordedCall) => void;
}

export interface RecordedCall {
  method: string;
  path: string;
  /** The parsed JSON body (the raw text when it is not JSON; null for GET). */
  body: unknown;
  /** The `Last-Event-ID` header, when sent. */
  lastEventId: string | null;
  /** `performance.now()` when the request arrived. */
  at: number;
  /** The status the agent answered (0: held unanswered by `stallNext`). */
  status: number;
}

export type AgentPath = '/watch' | '/register' | '/drain' | '/deregister';

export interface SidecarAgentPeer {
  readonly url: string;
  readonly port: number;
  /** Every call, oldest first. */
  readonly calls: RecordedCall[];
  /** Calls to one path. */
  callsTo(path: AgentPath): RecordedCall[];
  /** `performance.now()` of every `connected` event written, oldest first. */
  readonly connectedAt: number[];
  /** Totals since start (not capped like `calls`). */
  readonly counts: Record<AgentPath, number>;
  /** Open watch streams. */
  openStreams(): number;
  /** TCP connections accepted since start (keep-alive reuse shows as few). */
  connectionCount(): number;
  /** Ends every open stream: `end` closes it cleanly, `destroy` resets the connection. Returns how many. */
  dropStreams(mode?: 'end' | 'destroy'): number;
  /** Writes frames no client can use (non-JSON data, an unknown event type) to every stream. */
  sendGarbage(): void;
  /** Writes one event to every stream. */
  emit(type: string, data?: Record<string, unknown>): void;
  /** The next `times` calls to `path` answer `status` (a 500 by default). */
  failNext(path: AgentPath, status?: number, times?: number): void;
  /** The next `times` POSTs to `path` are recorded but never answered (until the peer closes). */
  stallNext(path: Exclude<AgentPath, '/watch'>, times?: number): void;
  setReady(ready: boolean): void;
  /** Changes the heartbeat interval (0 stops heartbeats: a stale stream). */
  setHeartbeat(ms: number): void;
  /** Drops every stream `cycles` times, `everyMs` apart (reset, as a crashing agent does). Resolves with how many streams it dropped. */
  flap(cycles: number, everyMs: number): Promise<number>;
  /** Goes away: closes the listener and every connection (the port stays reserved for `resume`). */
  pause(): Promise<void>;
  /** Comes back on the same port. */
  resume(): Promise<void>;
  /** Stops everything. Idempotent. */
  close(): Promise<void>;
}

export async function startSidecarAgent(options: SidecarAgentOptions = {}): Promise<SidecarAgentPeer> {
  const host = options.host ?? '127.0.0.1';
  const maxCalls = options.maxRecordedCalls ?? 10_000;
  let ready = options.ready ?? true;
  let heartbeatMs = options.heartbeatMs ?? 1000;
  let heartbeat: NodeJS.Timeout | undefined;
  let nextId = 0;
  let closed = false;
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const failures = new Map<string, { status: number; times: number }>();
  const stalls = new Map<string, number>();
  const calls: RecordedCall[] = [];
  const connectedAt: number[] = [];
  const counts: Record<AgentPath, number> = { '/watch': 0, '/register': 0, '/drain': 0, '/deregister': 0 };

  const frame = (type: string, data: Record<string, unknown> = {}) =>
    `event: ${type}\nid: ${++nextId}\ndata: ${JSON.stringify({
      service: options.service ?? 'sidecar-agent',
      status: ready ? 'ready' : 'starting',
      lifecycle_state: 'running',
      ready,
      generated_at: new Date().toISOString(),
      ...data,
    })}\n\n`;
  const broadcast = (text: string) => {
    for (const res of streams) res.write(text);
  };
  const armHeartbeat = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = heartbeatMs > 0 ? setInterval(() => broadcast(frame('heartbeat')), heartbeatMs) : undefined;
  };

  const record = (req: IncomingMessage, body: unknown, status: number, at: number) => {
    const path = (req.url ?? '/').split('?')[0] as AgentPath;
    if (path in counts) counts[path]++;
    const lastEventId = req.headers['last-event-id'];
    const call: RecordedCall = { method: req.method ?? 'GET', path, body, lastEventId: typeof lastEventId === 'string' ? lastEventId : null, at, status };
    calls.push(call);
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
    options.onCall?.(call);
  };
  const failure = (path: string): number | undefined => {
    const planned = failures.get(path);
    if (!planned) return undefined;
    if (--planned.times <= 0) failures.delete(path);
    return planned.status;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/watch') {
      const status = failure(path) ?? 200;
      record(req, null, status, at);
      if (status !== 200) return void res.writeHead(status, { 'content-type': 'text/plain' }).end('watch unavailable');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      streams.add(res);
      res.once('close', () => streams.delete(res));
      const opening = options.retryMs != null ? `retry: ${options.retryMs}\n\n` : '';
      connectedAt.push(performance.now());
      res.write(opening + frame('connected', { message: 'watch established' }));
      return;
    }
    if (req.method === 'POST' && (path === '/register' || path === '/drain' || path === '/deregister')) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Recorded raw: a test asserts on what the client really sent.
        }
        const stalled = stalls.get(path) ?? 0;
        if (stalled > 0) {
          stalls.set(path, stalled - 1);
          record(req, body, 0, at); // status 0: never answered; close() destroys the socket
          return;
        }
        const status = failure(path) ?? 200;
        record(req, body, status, at);
        const answer = status === 200 ? '{"ok":true}' : JSON.stringify({ ok: false, error: `planned ${status}` });
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
      });
      return;
    }
    res.writeHead(404).end();
  };

  // One server for the peer's life: a closed node:http server can listen again, so resume() reuses it.
  const server: Server = createServer(handle);
  let accepted = 0;
  server.on('connection', (socket) => {
    accepted++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // The error listener goes once listening: resume() listens again, and each left one behind.
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const res of streams) res.destroy();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  const dropStreams = (mode: 'end' | 'destroy' = 'end') => {
    const n = streams.size;
    for (const res of [...streams]) {
      streams.delete(res);
      if (mode === 'end') res.end();
      else res.destroy();
    }
    return n;
  };

  const port = await listen(options.port ?? 0);
  armHeartbeat();

  return {
    url: `http://${host}:${port}`,
    port,
    calls,
    connectedAt,
    counts,
    callsTo: (path) => calls.filter((call) => call.path === path),
    openStreams: () => streams.size,
    connectionCount: () => accepted,
    dropStreams,
    sendGarbage() {
      broadcast(`event: heartbeat\nid: ${++nextId}\ndata: {not json\n\n`);
      broadcast(`event: bogus\nid: ${++nextId}\ndata: {}\n\n`);
      broadcast(`event: connected\nid: ${++nextId}\ndata: [1,2]\n\n`);
    },
    emit: (type, data) => broadcast(frame(type, data)),
    failNext(path, status = 500, times = 1) {
      failures.set(path, { status, times });
    },
    stallNext(path, times = 1) {
      stalls.set(path, times);
    },
    setReady(value) {
      ready = value;
    },
    setHeartbeat(ms) {
      heartbeatMs = ms;
      armHeartbeat();
    },
    async flap(cycles, everyMs) {
      let dropped = 0;
      for (let i = 0; i < cycles && !closed; i++) {
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        dropped += dropStreams('destroy');
      }
      return dropped;
    },
    pause: shut,
    async resume() {
      await listen(port);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      await shut();
    },
  };
}
