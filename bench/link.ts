/**
 * Reports per second through an open link vs a hand-written raw `ws` client, same run, same server.
 *
 * The agent server (examples/peers/agent-server.ts, recording off: it validates and acks every
 * frame) runs in a child process, so the server's work does not share a thread with the client
 * being measured. One round = N `task.log` reports of about 100 bytes sent back to back, timed
 * until the last ack is read. The raw client builds each frame with JSON.stringify and parses
 * every ack with JSON.parse, like any honest client; the link additionally keeps each report in
 * its in-flight table until its ack (what makes a report survive a reconnect).
 *
 * Fair pairs: the link corks its socket for the tick (one `writev` per 16 KiB), so the headline
 * raw client does the same (issue 22: against an uncorked raw client the link looked faster than
 * raw `ws`, which measured the corking, not the link). The link with coalescing off is compared
 * with the uncorked raw client. `link.reports.durable` writes every report to its write-ahead log
 * (durability `batch`, a temp dir) before sending it, against the corked raw client.
 *
 * `npx tsx bench/link.ts` — prints one JSON line per pair, closes everything, exits by itself.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createLink, type Link } from '../actors/link/link.js';
import { wsFactory } from '../adapters/link/websocket.js';
import { startAgentServer } from '../examples/peers/agent-server.js';
import { compare } from './lib.js';

const REPORTS = 50_000;
const CONTENT = 'x'.repeat(8); // frame ≈ 100 bytes with envelope, ids and seq
/** Bytes the corked raw client lets pile up before a `writev`, as the link's ws adapter does. */
const CORK_BYTES = 16 * 1024;

async function serve(): Promise<void> {
  const server = await startAgentServer({ record: false });
  process.send?.({ url: server.url });
  process.on('message', async (message) => {
    if (message === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
}

/** A raw `ws` client speaking the protocol by hand: hello, then reports timed until their acks. */
async function rawClient(url: string, agentId: string, cork: boolean) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ v: 2, id: `${agentId}-hello`, type: 'hello', payload: { agentId, agentKey: 'k' } }));
  await new Promise((resolve) => ws.once('message', resolve)); // welcome
  let acks = 0;
  let onAck: (() => void) | null = null;
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; payload?: { id?: string } };
    if (frame.type === 'ack' && typeof frame.payload?.id === 'string' && ++acks === REPORTS) onAck?.();
  });
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let corked = false;
  let pending = 0;
  const send = (text: string) => {
    if (cork && !corked) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    ws.send(text);
    if (corked && (pending += text.length) >= CORK_BYTES) {
      socket.uncork();
      socket.cork();
      pending = 0;
    }
  };
  let seq = 0;
  const round = async () => {
    acks = 0;
    const done = new Promise<void>((resolve) => (onAck = resolve));
    const start = process.hrtime.bigint();
    for (let i = 0; i < REPORTS; i++) {
      const id = `0123abcd-${(seq++).toString(36)}`;
      send(JSON.stringify({ v: 2, id, type: 'task.log', requestId: 'r1', taskId: 't1', seq, payload: { content: CONTENT } }));
    }
    await done;
    return REPORTS / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  return { round, close: () => ws.close() };
}

const through = (target: Link) => async () => {
  const before = target.counters().reports_acked;
  const start = process.hrtime.bigint();
  for (let i = 0; i < REPORTS; i++) target.sendTaskLog('r1', 't1', CONTENT);
  await target.settled();
  if (target.counters().reports_acked - before !== REPORTS) throw new Error('bench: reports lost');
  return REPORTS / (Number(process.hrtime.bigint() - start) / 1e9);
};

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: process.execArgv, stdio: 'inherit' });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-link-'));

  const link = createLink({ serverAddress: url, agentId: 'bench-link', agentKey: 'k' });
  const durable = createLink({ serverAddress: url, agentId: 'bench-durable', agentKey: 'k', retryQueueDir: dir, durability: 'batch' });
  const plain = createLink({ serverAddress: url, agentId: 'bench-plain', agentKey: 'k', socketFactory: wsFactory({ coalesceWrites: false }) });
  await Promise.all([link.connect(), durable.connect(), plain.connect()]);
  const corked = await rawClient(url, 'bench-raw-corked', true);
  const uncorked = await rawClient(url, 'bench-raw', false);

  const frameBytes = JSON.stringify({ v: 2, id: '0123abcd-1ekh', type: 'task.log', requestId: 'r1', taskId: 't1', seq: 1, payload: { content: CONTENT } }).length;
  const pairs = [
    { bench: 'link.reports', target: link, peer: 'raw ws client, corked per tick', raw: corked, goal: 0.9 },
    { bench: 'link.reports.durable', target: durable, peer: 'raw ws client, corked per tick', raw: corked, goal: 0.7 },
    { bench: 'link.reports.uncoalesced', target: plain, peer: 'raw ws client, uncorked', raw: uncorked, goal: 0.9 },
  ];
  try {
    for (const { bench, target, peer, raw, goal } of pairs) {
      await compare({
        bench,
        unit: 'reports/s',
        better: 'higher',
        peer,
        ours: through(target),
        theirs: raw.round,
        rounds: 9,
        warmup: 1,
        extra: { reports: REPORTS, frameBytes, goal },
      });
    }
  } finally {
    corked.close();
    uncorked.close();
    await Promise.all([link.close(), durable.close(), plain.close()]);
    rmSync(dir, { recursive: true, force: true });
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv.includes('--serve')) void serve();
else await main();
