/**
 * A reference remote agent service: the HTTP JSON interface of goagent's distributed package, with
 * agents that echo, sleep, fail or run async, and knobs to misbehave on purpose (fail the next N
 * calls, hang, go down and come back on the same port). Tests, the fleet demo and the coordinator
 * bench all run against it on loopback.
 *
 *   POST /api/v1/agents/{agent}/execute        {task, context} → output
 *   POST /api/v1/agents/{agent}/execute/async  {task, context} → {task_id}
 *   GET  /api/v1/agents/tasks/{taskId}         → {status, output?, error?}
 *   GET  /health                               → {status: "ok"}
 *   GET  /api/v1/agents                        → {agents: [...]}
 *
 * Agents: `echo` answers `{result: task, context, instance}`; `sleep` waits `context.ms` (default
 * 50) first; `fail` answers `context.status` (default 500). Any agent runs async; an async task is
 * `running` for `context.ms` (default 50) and then `completed` (or `failed` for `fail`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen.js';

export interface AgentServiceOptions {
  /** Port on 127.0.0.1; 0 (default) lets the OS pick. */
  port?: number;
  /** Instance name, echoed in outputs (so a caller sees which instance answered). Default `agent-service`. */
  name?: string;
  /** Largest request body accepted, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface AgentServiceStats {
  /** Execute calls received (sync and async), including failed ones. */
  calls: number;
  inFlight: number;
  /** Most execute calls in flight at once since start (or `resetStats`). */
  peakInFlight: number;
  healthChecks: number;
  failedOnPurpose: number;
}

export interface AgentService {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly stats: AgentServiceStats;
  /** The next `count` execute calls answer `status` (default 503), with `Retry-After` when given (seconds). */
  failNext(count: number, status?: number, retryAfterSeconds?: number): void;
  /** While on, every request is accepted and never answered (and /health too). */
  hang(on: boolean): void;
  /** Stops listening and drops every connection: callers get connection refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  resetStats(): void;
  /** Stops for good. Idempotent. */
  close(): Promise<void>;
}

const AGENTS = ['echo', 'sleep', 'fail'];

interface Task {
  status: 'running' | 'completed' | 'failed';
  output?: unknown;
  error?: string;
}

export async function startAgentService(options: AgentServiceOptions = {}): Promise<AgentService> {
  const name = options.name ?? 'agent-service';
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const stats: AgentServiceStats = { calls: 0, inFlight: 0, peakInFlight: 0, healthChecks: 0, failedOnPurpose: 0 };
  const tasks = new Map<string, Task>();
  const timers = new Set<NodeJS.Timeout>();
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let failures = { left: 0, status: 503, retryAfter: undefined as number | undefined };
  let hangOn = false;
  let nextTaskId = 1;
  let server: Server | undefined;
  let port = options.port ?? 0;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (hangOn) {
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && url.pathname === '/health') {
      stats.healthChecks++;
      return json(res, 200, { status: 'ok', instance: name });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/agents') return json(res, 200, { agents: AGENTS });
    if (req.method === 'GET' && parts.length === 5 && parts[3] === 'tasks') {
      const task = tasks.get(decodeURIComponent(parts[4]!));
      return task ? json(res, 200, task) : json(res, 404, { error: 'no such task' });
    }
    const isExecute = req.method === 'POST' && parts[0] === 'api' && parts[2] === 'agents' && parts[4] === 'execute';
    if (!isExecute || parts.length > 6 || (parts.length === 6 && parts[5] !== 'async')) return json(res, 404, { error: 'not found' });
    const agent = decodeURIComponent(parts[3]!);
    const async = parts.length === 6;
    stats.calls++;
    stats.inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    res.once('close', () => stats.inFlight--);
    if (failures.left > 0) {
      failures.left--;
      stats.failedOnPurpose++;
      const headers: Record<string, string> = failures.retryAfter === undefined ? {} : { 'retry-after': String(failures.retryAfter) };
      return json(res, failures.status, { error: 'failing on purpose' }, headers);
    }
    const input = await readInput(req, maxBodyBytes);
    if (!input) return json(res, 400, { error: 'body must be JSON {task, context}' });
    if (!AGENTS.includes(agent)) return json(res, 404, { error: `unknown agent ${agent}` });
    const ms = typeof input.context?.ms === 'number' ? input.context.ms : 50;
    if (async) {
      const taskId = `${name}-${nextTaskId++}`;
      tasks.set(taskId, { status: 'running' });
      later(ms, () => tasks.set(taskId, agent === 'fail' ? { status: 'failed', error: 'agent failed' } : { status: 'completed', output: output(input) }));
      return json(res, 202, { task_id: taskId });
    }
    if (agent === 'fail') {
      const status = typeof input.context?.status === 'number' ? input.context.status : 500;
      return json(res, status, { error: 'agent failed' });
    }
    if (agent === 'sleep') return later(ms, () => json(res, 200, output(input)));
    return json(res, 200, output(input));
  }

  const output = (input: { task: string; context?: Record<string, unknown> }) => ({ result: input.task, context: input.context ?? {}, instance: name });

  async function listen(): Promise<void> {
    const next = createServer((req, res) => {
      handle(req, res).catch(() => json(res, 500, { error: 'internal error' }));
    });
    next.keepAliveTimeout = 30_000;
    port = await listenOnLoopback(next, port, sockets);
    server = next;
  }

  async function down(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();
  return {
    name,
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    stats,
    failNext(count, status = 503, retryAfterSeconds) {
      failures = { left: count, status, retryAfter: retryAfterSeconds };
    },
    hang(on) {
      hangOn = on;
      if (!on) for (const res of hanging) res.destroy();
    },
    down,
    async up() {
      if (!server) await listen();
    },
    resetStats() {
      Object.assign(stats, { calls: 0, peakInFlight: stats.inFlight, healthChecks: 0, failedOnPurpose: 0 });
    },
    async close() {
      hangOn = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await down();
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request body as `{task, context}`, or undefined when it is not that (or too large). */
async function readInput(req: IncomingMessage, maxBytes: number): Promise<{ task: string; context?: Record<string, unknown> } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { task?: unknown; context?: unknown };
    if (typeof body.task !== 'string') return undefined;
    if (body.context !== undefined && (typeof body.context !== 'object' || body.context === null)) return undefined;
    return body as { task: string; context?: Record<string, unknown> };
  } catch {
    return undefined;
  }
}
