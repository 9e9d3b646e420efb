import type { Redis } from 'ioredis';
import { silentLogger, type Logger } from '../logger.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { withRedisLock } from './lock.js';
import { resolveRetention, type DeadRetentionOptions } from './retention.js';
import { withQueueScripts, type QueueCommands } from './scripts.js';
import type { DeadJob, FailResult, JobFailure, NewJob, PullResult, PulledJob, QueueBackend, QueueCounts, QueueName, RecoveryResult, StoredJobState } from './types.js';

export interface RedisQueueOptions extends DeadRetentionOptions {
  /** Queue name, inside the hash tag: keys are `<prefix>:{<name>}:…`. Default `default`. */
  name?: string;
  /** Key prefix. Default `worker` (the seed's). */
  prefix?: string;
  /** Jobs per `add` script call; bigger batches are split and pipelined. Default 1000. */
  addChunk?: number;
  /** Due jobs promoted (waiting → ready) per pull, at least the pull size. Default 100 (the seed's WaitingQueueCatchBatchSize). */
  promoteBatchSize?: number;
  /** Most dead runners recovered per call. Default 100. */
  recoverLimit?: number;
  /** TTL of the recovery lock. Default 60 000 ms (the seed's lock terms). */
  recoveryLockTtlMs?: number;
  /** Where a failed wake-up subscription is reported. Default silent. */
  logger?: Logger;
}

type Client = Redis & QueueCommands;

/**
 * The Redis backend: every state change is one Lua script (adapters/worker/lua), every key of a
 * queue shares one hash tag. `redis` stays the caller's (close() does not quit it); the backend
 * opens one duplicate connection of its own, lazily, for the wake-up subscription.
 */
export function redisQueue(redis: Redis, options: RedisQueueOptions = {}): QueueBackend & { readonly keys: QueueKeys } {
  const retention = resolveRetention(options);
  const client: Client = withQueueScripts(redis);
  const keys = queueKeys(options.name, options.prefix);
  const addChunk = options.addChunk ?? 1000;
  const recoverLimit = options.recoverLimit ?? 100;
  const promoteBatchSize = options.promoteBatchSize ?? 100;
  const lockTtlMs = options.recoveryLockTtlMs ?? 60_000;
  const logger = options.logger ?? silentLogger;
  const listeners = new Set<() => void>();
  const health = { reconnects: 0, subscriptionFailures: 0 };
  let subscriber: Redis | undefined;
  /** After close() no subscription is opened again (it would be a connection nobody closes). */
  let closed = false;

  function subscribe(): void {
    if (subscriber) return;
    subscriber = redis.duplicate();
    subscriber.on('error', () => {}); // reconnects by itself; pulls report the outage
    subscriber.on('message', () => {
      for (const listener of listeners) listener();
    });
    subscriber.subscribe(keys.notify).catch((error: unknown) => {
      // Runners still find new work, by polling every idlePollMs instead of at once: say so.
      health.subscriptionFailures++;
      logger.warn('worker: wake-up subscription failed, idle runners poll instead', {
        channel: keys.notify,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }

  // ioredis says 'ready' at the first connect and after each reconnect; only the latter count.
  let connectedOnce = redis.status === 'ready';
  const reconnectListeners = new Set<() => void>();
  const onReady = () => {
    if (!connectedOnce) {
      connectedOnce = true;
      return;
    }
    health.reconnects++;
    for (const listener of reconnectListeners) listener();
  };
  // Listened to from the start (and until close()), so the first connect is told from a reconnect.
  redis.on('ready', onReady);

  function addArgs(jobs: readonly NewJob[], now: number): Array<string | number> {
    const args: Array<string | number> = [keys.jobs, keys.waiting, keys.high, keys.low, now, keys.notify];
    for (const job of jobs) args.push(job.id, job.queue, job.performAt, job.data);
    return args;
  }

  return {
    kind: 'redis',
    keys,

    async add(jobs, now) {
      if (jobs.length === 0) return 0;
      if (jobs.length <= addChunk) return client.swAdd(...addArgs(jobs, now));
      const pipeline = client.pipeline() as unknown as QueueCommands & { exec(): Promise<Array<[Error | null, unknown]> | null> };
      for (let i = 0; i < jobs.length; i += addChunk) pipeline.swAdd(...addArgs(jobs.slice(i, i + addChunk), now));
      const results = (await pipeline.exec()) ?? [];
      let added = 0;
      for (const [error, count] of results) {
        if (error) throw error;
        added += Number(count);
      }
      return added;
    },

    promoteDue(now, limit) {
      return client.swPromote(keys.waiting, keys.high, keys.low, now, limit);
    },

    async pull(runnerId, limit, now, highWeight, aliveUntil): Promise<PullResult> {
      const reply = await client.swPull(
        keys.waiting, keys.high, keys.low, keys.jobs, keys.working(runnerId), keys.alive,
        now, limit, Math.max(limit, promoteBatchSize), highWeight, aliveUntil, runnerId,
      );
      const jobs: PulledJob[] = [];
      for (let i = 1; i + 2 < reply.length; i += 3) {
        jobs.push({ id: reply[i]!, queue: reply[i + 1] as QueueName, data: reply[i + 2] ?? null });
      }
      const next = reply[0];
      return { jobs, nextDueAt: next ? Number(next) : null };
    },

    complete(runnerId, ids) {
      if (ids.length === 0) return Promise.resolve(0);
      return client.swComplete(keys.working(runnerId), keys.jobs, keys.errors, keys.stats, ...ids);
    },

    async fail(runnerId, failures: readonly JobFailure[], now): Promise<FailResult> {
      if (failures.length === 0) return { moved: 0, trimmed: 0 };
      const args: Array<string | number> = [keys.working(runnerId), keys.jobs, keys.waiting, keys.dead, keys.errors, keys.stats, now];
      // Infinity goes as "" (no bound): Lua's tonumber() of "Infinity" is nil.
      args.push(retention.maxJobs === Infinity ? '' : retention.maxJobs, retention.maxAgeMs === Infinity ? '' : retention.maxAgeMs, retention.trimBatch);
      for (const f of failures) args.push(f.id, f.data ?? '', f.retryAt ?? '', f.error);
      const [moved, trimmed] = await client.swFail(...args);
      return { moved: Number(moved), trimmed: Number(trimmed) };
    },

    release(runnerId, ids) {
      if (ids && ids.length === 0) return Promise.resolve(0);
      return client.swRelease(keys.working(runnerId), keys.high, keys.low, keys.notify, ids ? 'ids' : 'all', ...(ids ?? []));
    },

    working(runnerId) {
      return client.hkeys(keys.working(runnerId));
    },

    async heartbeat(runnerId, expiresAt) {
      await client.zadd(keys.alive, expiresAt, runnerId);
    },

    unregister(runnerId) {
      return client.swUnregister(keys.working(runnerId), keys.high, keys.low, keys.alive, runnerId, keys.notify);
    },

    async recover(now): Promise<RecoveryResult> {
      // Cheap check first: most heartbeats find nobody to recover and must not take the lock.
      const expired = await client.zcount(keys.alive, '-inf', `(${now}`);
      if (expired === 0) return { runners: [], jobs: 0 };
      const outcome = await withRedisLock(client, keys.recoveryLock, lockTtlMs, () =>
        client.swRecover(keys.alive, keys.high, keys.low, now, keys.workingPrefix, keys.notify, recoverLimit),
      );
      if (!outcome.acquired) return { runners: [], jobs: 0 };
      const [moved, ...runners] = outcome.result;
      return { runners: runners.map(String), jobs: Number(moved) };
    },

    async dead(offset, limit): Promise<DeadJob[]> {
      // ZRANGE 0 -1 would be "everything": an empty page must not become the whole dead set.
      if (!(limit > 0) || offset < 0) return [];
      const entries = await client.zrange(keys.dead, String(offset), String(offset + limit - 1), 'WITHSCORES');
      if (entries.length === 0) return [];
      const ids = entries.filter((_, i) => i % 2 === 0).map(String);
      const [data, errors] = await Promise.all([client.hmget(keys.jobs, ...ids), client.hmget(keys.errors, ...ids)]);
      return ids.map((id, i) => ({ id, data: data[i] ?? null, error: errors[i] ?? null, diedAt: Number(entries[i * 2 + 1]) }));
    },

    async redrive(id, queue, data) {
      return (await client.swRedrive(keys.dead, keys.jobs, keys.high, keys.low, keys.errors, id, queue, data ?? '', keys.notify)) === 1;
    },

    get(id) {
      return client.hget(keys.jobs, id);
    },

    async state(id): Promise<StoredJobState | undefined> {
      const state = await client.swState(keys.jobs, keys.waiting, keys.high, keys.low, keys.dead, keys.alive, id, keys.workingPrefix);
      return state === null || state === 'orphan' ? undefined : (state as StoredJobState);
    },

    async counts(): Promise<QueueCounts> {
      const [waiting, high, low, dead, stats] = await Promise.all([
        client.zcard(keys.waiting),
        client.llen(keys.high),
        client.llen(keys.low),
        client.zcard(keys.dead),
        client.hmget(keys.stats, 'completed', 'failed', 'deadTrimmed'),
      ]);
      return { waiting, high, low, dead, completed: Number(stats[0] ?? 0), failed: Number(stats[1] ?? 0), deadTrimmed: Number(stats[2] ?? 0) };
    },

    onWork(listener) {
      if (closed) return () => false;
      listeners.add(listener);
      subscribe();
      return () => listeners.delete(listener);
    },

    onReconnect(listener) {
      if (closed) return () => false;
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },

    diagnostics: () => ({ ...health }),

    async close() {
      closed = true;
      listeners.clear();
      redis.off('ready', onReady);
      reconnectListeners.clear();
      const sub = subscriber;
      subscriber = undefined;
      if (sub) sub.disconnect();
    },
  };
}
