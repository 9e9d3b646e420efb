import { Redis } from 'ioredis';
import type { Test } from 'uvu';
import { createRunner, type Runner, type RunnerOptions } from '../../../actors/worker/worker.js';
import { redisQueue, type RedisQueueOptions } from '../../../adapters/worker/redis.js';
import type { QueueBackend } from '../../../adapters/worker/types.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

/**
 * Runners on a real Redis, each with its own ioredis client (as separate processes would have),
 * all closed by `closeAll()`: the whole suite shares one node process, so nothing may leak.
 */
export function redisRunners(url: string) {
  const opened: Array<{ runner?: Runner; backend: QueueBackend; redis: Redis }> = [];
  const client = () =>
    new Redis(url, { maxRetriesPerRequest: 2, retryStrategy: (times) => Math.min(times * 50, 300), commandTimeout: 2000 });
  return {
    backend(name: string) {
      const redis = client();
      redis.on('error', () => {});
      const backend = redisQueue(redis, { name });
      opened.push({ backend, redis });
      return { backend, redis };
    },
    runner(name: string, options: Omit<RunnerOptions, 'backend'> = {}, queueOptions: Omit<RedisQueueOptions, 'name'> = {}) {
      const redis = client();
      redis.on('error', () => {});
      const backend = redisQueue(redis, { ...queueOptions, name });
      const runner = createRunner({ ...options, backend });
      opened.push({ runner, backend, redis });
      return runner;
    },
    async closeAll() {
      for (const { runner, backend, redis } of opened.splice(0)) {
        await runner?.stop({ deadlineMs: 0 }).catch(() => {});
        await backend.close();
        redis.disconnect();
      }
    },
  };
}

export type RedisRunners = ReturnType<typeof redisRunners>;

/**
 * A suite's private redis-server and its runners: started before the suite, every runner closed
 * after each test, the server stopped after the suite. `ready` is false when no redis-server
 * could be started (a silent skip only outside CI: startRedis fails when CI=true).
 */
export function useRedisRunners(suite: Test): { readonly ready: boolean; readonly pool: RedisRunners } {
  let server: TestRedis | undefined;
  let pool: RedisRunners | undefined;
  suite.before(async () => {
    server = await startRedis();
    if (server) pool = redisRunners(server.url);
  });
  suite.after.each(async () => {
    await pool?.closeAll();
  });
  suite.after(async () => {
    await server?.stop();
  });
  return {
    get ready() {
      return pool !== undefined;
    },
    get pool() {
      if (!pool) throw new Error('no redis-server for this suite');
      return pool;
    },
  };
}
