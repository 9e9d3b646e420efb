import { DeadSet } from './dead-set.js';
import { Fifo } from './fifo.js';
import { DueHeap } from './due-heap.js';
import { resolveRetention, type DeadRetentionOptions } from './retention.js';
import type { DeadJob, FailResult, JobFailure, NewJob, PullResult, PulledJob, QueueBackend, QueueCounts, QueueName, RecoveryResult, StoredJobState } from './types.js';

/**
 * The in-process backend: the embedded default (demo, `npm start`, single-process hosts).
 * Same semantics as the Lua scripts, step for step (tests/worker/contract.ts runs the same suite
 * on both); nothing survives the process. Each method is one synchronous step, like a script.
 */
export interface MemoryQueueOptions extends DeadRetentionOptions {
  /** Due jobs promoted (waiting → ready) per pull, at least the pull size. Default 100 (the seed's WaitingQueueCatchBatchSize). */
  promoteBatchSize?: number;
}

/** A delayed job (its due time is the heap's key). */
interface Waiting {
  id: string;
  queue: QueueName;
}

/**
 * Ties between equal due times, as the Redis zset orders its members `<queue>#<id>`: `high#…`
 * before `low#…` ('h' < 'l'), then by id (code-unit order; byte order for ASCII ids).
 */
const tieFirst = (a: Waiting, b: Waiting) => (a.queue === b.queue ? a.id < b.id : a.queue === 'high');

export function memoryQueue(options: MemoryQueueOptions = {}): QueueBackend {
  const promoteBatchSize = options.promoteBatchSize ?? 100;
  const retention = resolveRetention(options);
  const jobs = new Map<string, string>();
  const errors = new Map<string, string>();
  /** Delayed jobs, earliest due on top: O(log n) to schedule one and to promote one. */
  const waiting = new DueHeap<Waiting>(tieFirst);
  const ready: Record<QueueName, Fifo<string>> = { high: new Fifo(), low: new Fifo() };
  const working = new Map<string, Map<string, QueueName>>();
  const alive = new Map<string, number>();
  const dead = new DeadSet();
  const stats = { completed: 0, failed: 0, deadTrimmed: 0 };
  const listeners = new Set<() => void>();
  let closed = false;

  const notify = () => {
    for (const listener of listeners) queueMicrotask(listener);
  };
  const workingOf = (runnerId: string) => {
    let set = working.get(runnerId);
    if (!set) working.set(runnerId, (set = new Map()));
    return set;
  };
  function schedule(at: number, id: string, queue: QueueName): void {
    waiting.push(at, { id, queue });
  }
  function promote(now: number, limit: number): number {
    let count = 0;
    for (let at = waiting.peekTime(); count < limit && at !== undefined && at <= now; at = waiting.peekTime()) {
      const next = waiting.pop()!;
      ready[next.queue].push(next.id);
      count++;
    }
    return count;
  }
  function releaseAll(runnerId: string): number {
    const set = working.get(runnerId);
    if (!set) return 0;
    for (const [id, queue] of set) ready[queue].unshift(id);
    working.delete(runnerId);
    return set.size;
  }

  return {
    kind: 'memory',

    async add(list: readonly NewJob[], now) {
      let added = 0;
      for (const job of list) {
        if (jobs.has(job.id)) continue; // already queued, running or dead: declared once
        jobs.set(job.id, job.data);
        if (job.performAt > now) schedule(job.performAt, job.id, job.queue);
        else ready[job.queue].push(job.id);
        added++;
      }
      if (added) notify();
      return added;
    },

    async promoteDue(now, limit) {
      return promote(now, limit);
    },

    async pull(runnerId, limit, now, highWeight, aliveUntil): Promise<PullResult> {
      if (!alive.has(runnerId)) alive.set(runnerId, aliveUntil);
      promote(now, Math.max(limit, promoteBatchSize)); // enough to fill the batch from due jobs
      const pulled: PulledJob[] = [];
      const take = (queue: QueueName, count: number) => {
        let taken = 0;
        for (; taken < count && ready[queue].length > 0; taken++) {
          const id = ready[queue].shift()!;
          pulled.push({ id, queue, data: jobs.get(id) ?? null });
        }
        return taken;
      };
      const high = take('high', Math.ceil((limit * highWeight) / (highWeight + 1)));
      const low = take('low', limit - high);
      take('high', limit - high - low);
      const set = workingOf(runnerId);
      for (const job of pulled) if (job.data !== null) set.set(job.id, job.queue);
      return { jobs: pulled, nextDueAt: waiting.peekTime() ?? null };
    },

    async complete(runnerId, ids) {
      const set = working.get(runnerId);
      let done = 0;
      for (const id of ids) {
        if (!set?.delete(id)) continue;
        jobs.delete(id);
        errors.delete(id);
        done++;
      }
      stats.completed += done;
      return done;
    },

    async fail(runnerId, failures: readonly JobFailure[], now): Promise<FailResult> {
      const set = working.get(runnerId);
      let moved = 0;
      let died = 0;
      for (const failure of failures) {
        const queue = set?.get(failure.id);
        if (!queue) continue;
        set!.delete(failure.id);
        if (failure.data !== undefined) jobs.set(failure.id, failure.data);
        errors.set(failure.id, failure.error);
        if (failure.retryAt === null) {
          dead.add(failure.id, now);
          died++;
        } else schedule(failure.retryAt, failure.id, queue);
        moved++;
      }
      stats.failed += moved;
      if (died === 0) return { moved, trimmed: 0 };
      const trimmed = dead.trim(now, retention, retention.trimBatch + died);
      for (const id of trimmed) {
        jobs.delete(id);
        errors.delete(id);
      }
      stats.deadTrimmed += trimmed.length;
      return { moved, trimmed: trimmed.length };
    },

    async release(runnerId, ids) {
      if (!ids) {
        const moved = releaseAll(runnerId);
        if (moved) notify();
        return moved;
      }
      const set = working.get(runnerId);
      let moved = 0;
      for (const id of ids) {
        const queue = set?.get(id);
        if (!queue) continue;
        set!.delete(id);
        ready[queue].unshift(id);
        moved++;
      }
      if (moved) notify();
      return moved;
    },

    async working(runnerId) {
      return [...(working.get(runnerId)?.keys() ?? [])];
    },

    async heartbeat(runnerId, expiresAt) {
      alive.set(runnerId, expiresAt);
    },

    async unregister(runnerId) {
      const moved = releaseAll(runnerId);
      alive.delete(runnerId);
      if (moved) notify();
      return moved;
    },

    async recover(now): Promise<RecoveryResult> {
      const runners: string[] = [];
      let moved = 0;
      for (const [runnerId, expiresAt] of alive) {
        if (expiresAt >= now) continue;
        moved += releaseAll(runnerId);
        alive.delete(runnerId);
        runners.push(runnerId);
      }
      if (moved) notify();
      return { runners, jobs: moved };
    },

    async dead(offset, limit): Promise<DeadJob[]> {
      if (!(limit > 0) || offset < 0) return [];
      return dead.page(offset, limit).map(({ id, diedAt }) => ({ id, data: jobs.get(id) ?? null, error: errors.get(id) ?? null, diedAt }));
    },

    async redrive(id, queue, data) {
      if (!dead.delete(id)) return false;
      if (data !== undefined) jobs.set(id, data);
      errors.delete(id);
      ready[queue].push(id);
      notify();
      return true;
    },

    async get(id) {
      return jobs.get(id) ?? null;
    },

    async state(id): Promise<StoredJobState | undefined> {
      if (!jobs.has(id)) return undefined;
      if (dead.has(id)) return 'dead';
      if (ready.high.includes(id) || ready.low.includes(id)) return 'ready';
      for (const [runnerId, set] of working) if (set.has(id)) return alive.has(runnerId) ? 'working' : undefined;
      // A job with data is dead, ready, working or waiting: the heap is not searched (no index
      // by id is kept for this read of tests and status, which costs O(n) on either backend).
      return 'waiting';
    },

    async counts(): Promise<QueueCounts> {
      return { waiting: waiting.size, high: ready.high.length, low: ready.low.length, dead: dead.size, ...stats };
    },

    onWork(listener) {
      if (closed) return () => false;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
