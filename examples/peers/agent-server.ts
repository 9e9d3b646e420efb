import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeFrame, parseAgentFrame, type AgentFrame } from '../../adapters/link/protocol.js';

/**
 * The reference agent server: speaks link protocol v2, authenticates agents, dispatches tasks,
 * acks every agent frame, and records what it received exactly once (by frame id), so tests can
 * check that every report arrived once and in order. It can be told to misbehave: drop frames,
 * hold or delay acks, stay silent at hello, reject, stop answering pings, restart.
 */
export interface AgentServerOptions {
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Accepted agents and keys. Default: any agent with any non-empty key. */
  keys?: Record<string, string>;
  /** Keep every received report (tests). Default true; the benchmark turns it off. */
  record?: boolean;
}

/** `ack`: record and ack. `hold`: record, never ack. `drop`: ignore the frame (lost on the wire). */
export type AckMode = 'ack' | 'hold' | 'drop';
/** `welcome`: check the key. `reject`: reject everyone. `silent`: never answer hello. */
export type HandshakeMode = 'welcome' | 'reject' | 'silent';

export type ReportFrame = Extract<AgentFrame, { type: 'task.confirm' | 'task.log' | 'task.result' }>;

export interface AgentServer {
  readonly url: string;
  readonly port: number;
  /** Reports received, each frame id once, in arrival order (survives `restart`). */
  readonly reports: ReportFrame[];
  readonly counts: { frames: number; duplicates: number; invalid: number; acks: number; hellos: number; rejected: number };
  /** Agents currently welcomed. */
  agents(): string[];
  /** Sends `task.run` to an agent (the first connected one by default); returns its ids. */
  dispatch(task: { type: string; params?: unknown }, agentId?: string): { requestId: string; taskId: string };
  /** Sends a raw text frame to one agent, or to every connection (for malformed-frame tests). */
  sendRaw(text: string, agentId?: string): void;
  setAckMode(mode: AckMode, delayMs?: number): void;
  setHandshake(mode: HandshakeMode): void;
  /** Whether pings are answered. Default true. */
  setPong(answer: boolean): void;
  /** Reports of one task, in arrival order. */
  reportsFor(taskId: string): ReportFrame[];
  /** Times a report with this frame id arrived (1 = once; more = re-sent), while recording. */
  receipts(id: string): number;
  /** The last ack of this frame id written (when, epoch ms, and to which agent), while recording. */
  lastAck(id: string): { at: number; agentId: string } | undefined;
  /** Drops every connection, closes, and listens again on the same port (records kept). */
  restart(downMs?: number): Promise<void>;
  /** Drops every connection at once (the server stays up). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startAgentServer(options: AgentServerOptions = {}): Promise<AgentServer> {
  const record = options.record ?? true;
  /** Arrivals per report id (while recording). */
  const seen = new Map<string, number>();
  const lastAcks = new Map<string, { at: number; agentId: string }>();
  const reports: ReportFrame[] = [];
  const counts = { frames: 0, duplicates: 0, invalid: 0, acks: 0, hellos: 0, rejected: 0 };
  const welcomed = new Map<WebSocket, string>();
  const timers = new Set<NodeJS.Timeout>();
  let ackMode: AckMode = 'ack';
  let ackDelayMs = 0;
  let handshake: HandshakeMode = 'welcome';
  let pong = true;
  let port = options.port ?? 0;
  let wss: WebSocketServer;

  const frame = (type: string, extra: Record<string, unknown> = {}) => encodeFrame({ v: 2, id: randomUUID(), type, ...extra });
  // Acks written in one tick leave in one writev (the socket is corked until the next tick), so
  // the server keeps up with a fast agent.
  const corked = new Set<WebSocket>();
  const uncork = () => {
    for (const ws of corked) (ws as unknown as { _socket?: Socket })._socket?.uncork();
    corked.clear();
  };
  const sendAck = (ws: WebSocket, id: string) => {
    if (ws.readyState !== ws.OPEN) return;
    counts.acks++;
    if (record) lastAcks.set(id, { at: Date.now(), agentId: welcomed.get(ws) ?? '' });
    if (!corked.has(ws)) {
      if (corked.size === 0) process.nextTick(uncork);
      corked.add(ws);
      (ws as unknown as { _socket?: Socket })._socket?.cork();
    }
    ws.send(`{"v":2,"id":"a-${id}","type":"ack","payload":{"id":${JSON.stringify(id)}}}`);
  };
  const ack = (ws: WebSocket, id: string) => {
    if (ackDelayMs <= 0) return sendAck(ws, id);
    const timer = setTimeout(() => {
      timers.delete(timer);
      sendAck(ws, id);
    }, ackDelayMs);
    timers.add(timer);
  };

  const onMessage = (ws: WebSocket, text: string) => {
    const parsed = parseAgentFrame(text);
    if (!parsed.ok) {
      counts.invalid++;
      return;
    }
    const f = parsed.frame;
    counts.frames++;
    if (f.type === 'hello') {
      counts.hellos++;
      if (handshake === 'silent') return;
      const expected = options.keys?.[f.payload.agentId];
      const ok = handshake === 'welcome' && f.payload.agentKey !== '' && (!options.keys || expected === f.payload.agentKey);
      if (!ok) {
        counts.rejected++;
        ws.send(frame('reject', { payload: { reason: handshake === 'reject' ? 'agent refused' : 'bad agent key' } }));
        return;
      }
      welcomed.set(ws, f.payload.agentId);
      ws.send(frame('welcome'));
      return;
    }
    if (!welcomed.has(ws)) return; // nothing before the handshake
    if (f.type === 'ping') {
      if (pong) ws.send(frame('pong'));
      return;
    }
    if (f.type === 'pong') return;
    if (ackMode === 'drop') return;
    const arrivals = seen.get(f.id) ?? 0;
    if (arrivals > 0) counts.duplicates++;
    if (record) {
      seen.set(f.id, arrivals + 1);
      if (arrivals === 0) reports.push(f);
    }
    if (ackMode === 'ack') ack(ws, f.id);
  };

  const listen = async () => {
    wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    port = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws) => {
      ws.on('message', (data) => onMessage(ws, data.toString()));
      ws.on('close', () => welcomed.delete(ws));
      ws.on('error', () => {});
    });
  };
  const shutdown = () =>
    new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      welcomed.clear();
      wss.close(() => resolve());
    });

  await listen();
  const server: AgentServer = {
    get url() {
      return `ws://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    reports,
    counts,
    agents: () => [...welcomed.values()],
    dispatch(task, agentId) {
      const target = [...welcomed].find(([, id]) => agentId === undefined || id === agentId)?.[0];
      if (!target) throw new Error(`agent server: no agent ${agentId ?? ''} connected`);
      const ids = { requestId: randomUUID(), taskId: randomUUID() };
      target.send(frame('task.run', { ...ids, payload: { type: task.type, params: task.params ?? null } }));
      return ids;
    },
    sendRaw(text, agentId) {
      for (const ws of wss.clients) if (agentId === undefined || welcomed.get(ws) === agentId) ws.send(text);
    },
    setAckMode(mode, delayMs = 0) {
      ackMode = mode;
      ackDelayMs = delayMs;
    },
    setHandshake(mode) {
      handshake = mode;
    },
    setPong(answer) {
      pong = answer;
    },
    reportsFor: (taskId) => reports.filter((r) => r.taskId === taskId),
    receipts: (id) => seen.get(id) ?? 0,
    lastAck: (id) => lastAcks.get(id),
    async restart(downMs = 0) {
      await shutdown();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await listen();
    },
    dropConnections() {
      for (const ws of wss.clients) ws.terminate();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await shutdown();
    },
  };
  return server;
}
