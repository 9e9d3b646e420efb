/**
 * A runner in its own process, for the kill -9 test: `node --import tsx runner-child.ts`.
 * Does nothing unless SW_WORKER_CHILD_URL is set (uvu may load this file as a module).
 * Each finished job increments `runs[id]` in Redis, so the parent counts runs across processes.
 */
import { Redis } from 'ioredis';
import { createRunner } from '../../../actors/worker/worker.js';
import { redisQueue } from '../../../adapters/worker/redis.js';

const url = process.env.SW_WORKER_CHILD_URL;
if (url) {
  const queue = process.env.SW_WORKER_CHILD_QUEUE ?? 'crash';
  const runsKey = process.env.SW_WORKER_CHILD_RUNS ?? 'runs';
  const redis = new Redis(url);
  const runner = createRunner({
    backend: redisQueue(redis, { name: queue }),
    runnerId: 'child',
    threads: 4,
    aliveTtlMs: 600,
    heartbeatEveryMs: 150,
  });
  runner.registerWorker<number>({
    name: 'w',
    perform: async ({ meta }) => {
      await new Promise((resolve) => setTimeout(resolve, 4));
      await redis.hincrby(runsKey, meta.id, 1);
    },
  });
  runner.start();
  process.stdout.write('started\n');
}
