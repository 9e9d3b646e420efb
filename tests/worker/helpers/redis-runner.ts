import { Redis } from 'ioredis';
import { createRunner, type Runner, type RunnerOptions } from '../../../actors/runner.js';
import { redisQueue, type RedisQueueOptions } from '../../../adapters/queue/redis.js';
import type { QueueBackend } from '../../../adapters/queue/types.js';

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
