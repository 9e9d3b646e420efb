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
 * `npx tsx bench/link.ts` — prints one JSON line, closes everything, exits by itself.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createLink, type Link } from '../actors/link/link.js';
import { wsFactory } from '../adapters/link/websocket.js';
import { startAgentServer } from '../examples/peers/agent-server.js';
import { compare } from './lib.js';

const REPORTS = 50_000;
const CONTENT = 'x'.repeat(8); // frame ≈ 100 bytes with envelope, ids and seq

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

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: process.execArgv, stdio: 'inherit' });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));

  // The link as shipped (writes of one tick coalesced), and with coalescing off (one syscall per
  // frame, like the raw client) to show what the chart, the in-flight table and the acks cost.
  const link = createLink({ serverAddress: url, agentId: 'bench-link', agentKey: 'k' });
  const plain = createLink({ serverAddress: url, agentId: 'bench-plain', agentKey: 'k', socketFactory: wsFactory({ coalesceWrites: false }) });
  await Promise.all([link.connect(), plain.connect()]);
  const through = (target: Link) => async () => {
    const before = target.counters().reports_acked;
    const start = process.hrtime.bigint();
    for (let i = 0; i < REPORTS; i++) target.sendTaskLog('r1', 't1', CONTENT);
    await target.settled();
    if (target.counters().reports_acked - before !== REPORTS) throw new Error('bench: reports lost');
    return REPORTS / (Number(process.hrtime.bigint() - start) / 1e9);
  };

  const raw = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve) => raw.once('open', resolve));
  raw.send(JSON.stringify({ v: 2, id: 'raw-hello', type: 'hello', payload: { agentId: 'bench-raw', agentKey: 'k' } }));
  await new Promise((resolve) => raw.once('message', resolve)); // welcome
  let acks = 0;
  let onAck: (() => void) | null = null;
  raw.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; payload?: { id?: string } };
    if (frame.type === 'ack' && typeof frame.payload?.id === 'string' && ++acks === REPORTS) onAck?.();
  });
  let rawSeq = 0;
  const theirs = async () => {
    acks = 0;
    const done = new Promise<void>((resolve) => (onAck = resolve));
    const start = process.hrtime.bigint();
    for (let i = 0; i < REPORTS; i++) {
      const id = `0123abcd-${(rawSeq++).toString(36)}`;
      raw.send(JSON.stringify({ v: 2, id, type: 'task.log', requestId: 'r1', taskId: 't1', seq: rawSeq, payload: { content: CONTENT } }));
    }
    await done;
    return REPORTS / (Number(process.hrtime.bigint() - start) / 1e9);
  };

  const frameBytes = JSON.stringify({ v: 2, id: '0123abcd-1ekh', type: 'task.log', requestId: 'r1', taskId: 't1', seq: 1, payload: { content: CONTENT } }).length;
  try {
    for (const [bench, target] of [['link.reports', link], ['link.reports.uncoalesced', plain]] as const) {
      await compare({
        bench,
        unit: 'reports/s',
        better: 'higher',
        peer: 'raw ws client',
        ours: through(target),
        theirs,
        rounds: 9,
        warmup: 1,
        extra: { reports: REPORTS, frameBytes, goal: 0.9 },
      });
    }
  } finally {
    raw.close();
    await Promise.all([link.close(), plain.close()]);
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv.includes('--serve')) void serve();
else await main();
