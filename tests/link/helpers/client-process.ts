import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachDone, frameOf, idOf, isDone, isReport, type ReportRecord } from '../../../adapters/link/report-records.js';
import { replayLines } from '../../../adapters/journal/lines.js';
import type { LinkCounters } from '../../../actors/link/types.js';
import type { AgentServer } from '../../../examples/peers/agent-server.js';

/** The parent side of crash-client.ts: start an agent process, follow it, SIGKILL it. */
export interface ClientConfig {
  /** One per process, so the server can tell which process an ack went to. */
  agentId: string;
  url: string;
  dir: string;
  durability: 'batch' | 'always';
  memorySize: number;
  maxInFlight: number;
  firstTask: number;
  /** Below `firstTask`: hand nothing (a process that only re-sends what its log holds). */
  lastTask: number;
  logs: number;
}

export type Handed = { type: 'handed'; task: number; kind: 'confirm' | 'log' | 'result'; seq?: number };
export type ClientMessage =
  | Handed
  | { type: 'ready' | 'settled' | 'counters' | 'closed'; counters: LinkCounters };
export type ParentMessage = { type: 'counters' } | { type: 'close' };

export interface ClientProcess {
  readonly child: ChildProcess;
  /** Every report the process said it handed to its link, in order. */
  readonly handed: Handed[];
  /** Resolves with the first message of `type` from now on (bounded by `timeoutMs`). */
  next(type: Exclude<ClientMessage['type'], 'handed'>, timeoutMs?: number): Promise<LinkCounters>;
  counters(): Promise<LinkCounters>;
  /** Resolves once `count` reports were handed (bounded). */
  handedAtLeast(count: number, timeoutMs?: number): Promise<void>;
  kill(): Promise<void>;
  close(): Promise<LinkCounters>;
}

const script = fileURLToPath(new URL('./crash-client.ts', import.meta.url));

export function startClient(config: ClientConfig): ClientProcess {
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, CRASH_CLIENT: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const handed: Handed[] = [];
  const waiters: Array<(message: ClientMessage) => void> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: ClientMessage) => {
    if (message.type === 'handed') handed.push(message);
    for (const waiter of [...waiters]) waiter(message);
  });
  const waitFor = <T>(match: (m: ClientMessage) => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new Error(`client process: no ${what} within ${timeoutMs} ms`))), timeoutMs);
      const waiter = (message: ClientMessage) => {
        const value = match(message);
        if (value !== undefined) done(() => resolve(value));
      };
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(waiter), 1);
        settle();
      };
      waiters.push(waiter);
    });
  const client: ClientProcess = {
    child,
    handed,
    next: (type, timeoutMs = 10_000) => waitFor((m) => (m.type === type ? (m as { counters: LinkCounters }).counters : undefined), type, timeoutMs),
    counters() {
      const reply = client.next('counters');
      child.send({ type: 'counters' } satisfies ParentMessage);
      return reply;
    },
    async handedAtLeast(count, timeoutMs = 10_000) {
      if (handed.length >= count) return;
      await waitFor((m) => (m.type === 'handed' && handed.length >= count ? true : undefined), `${count} handed reports`, timeoutMs);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async close() {
      const closed = client.next('closed');
      child.send({ type: 'close' } satisfies ParentMessage);
      const counters = await closed;
      await exited;
      return counters;
    },
  };
  return client;
}

/** The report ids the log in `dir` still holds without a done mark (what the next process re-sends). */
export function unfinishedIds(dir: string): Set<string> {
  let text: Buffer;
  try {
    text = readFileSync(join(dir, 'journal.log'));
  } catch {
    return new Set();
  }
  const live = new Map<number, string>();
  replayLines<ReportRecord>(text, (record) => {
    if (isReport(record)) live.set(record.o, idOf(record));
    else if (isDone(record)) forEachDone(record, (order) => live.delete(order));
  });
  return new Set(live.values());
}

/**
 * The highest task index a killed process may have reported on: IPC messages still queued in it
 * die with it, but every report it handed is in its log or (acked, compacted away) at the server.
 */
export function highestTaskTouched(dir: string, server: AgentServer): number {
  let highest = -1;
  const note = (taskId: string | undefined) => {
    const t = Number(/^task-(\d+)$/.exec(taskId ?? '')?.[1] ?? -1);
    if (t > highest) highest = t;
  };
  for (const report of server.reports) note(report.taskId);
  let text: Buffer;
  try {
    text = readFileSync(join(dir, 'journal.log'));
  } catch {
    return highest;
  }
  replayLines<ReportRecord>(text, (record) => {
    if (isReport(record)) note((JSON.parse(frameOf(record)) as { taskId?: string }).taskId);
  });
  return highest;
}

/** The reports of task `t` as the server recorded them (first arrival of each id), as `kind[:seq]`. */
export function serverShape(server: AgentServer, t: number): string[] {
  return server.reportsFor(`task-${t}`).map((r) => (r.type === 'task.log' ? `log:${r.seq}` : r.type.replace('task.', '')));
}

/** What task t's reports must look like: confirm, log:1..logs, result, cut after `count`. */
export function expectedShape(logs: number, count: number): string[] {
  return ['confirm', ...Array.from({ length: logs }, (_, i) => `log:${i + 1}`), 'result'].slice(0, count);
}

/** `handed` of one process as `kind[:seq]` per task. */
export function handedByTask(handed: readonly Handed[]): Map<number, string[]> {
  const byTask = new Map<number, string[]>();
  for (const h of handed) {
    const list = byTask.get(h.task) ?? [];
    list.push(h.kind === 'log' ? `log:${h.seq}` : h.kind);
    byTask.set(h.task, list);
  }
  return byTask;
}
