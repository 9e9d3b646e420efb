/**
 * A runner in its own process for the Redis-restart chaos test: `fork(restart-child.ts)` with
 * SW_RESTART_CHILD_URL set (uvu may load this file as a module: then it does nothing).
 * Runs are reported to the parent over IPC, batched every 10 ms: counting through Redis would
 * fail while Redis is down and turn a finished job into a failed one.
 */
import { Redis } from 'ioredis';
import { createRunner } from '../../../actors/worker/worker.js';
import { redisQueue } from '../../../adapters/worker/redis.js';

const url = process.env.SW_RESTART_CHILD_URL;
if (url && process.send) {
  const send = process.send.bind(process);
  const redis = new Redis(url, { retryStrategy: () => 50 });
  redis.on('error', () => {});
  const backend = redisQueue(redis, { name: process.env.SW_RESTART_CHILD_QUEUE ?? 'restart' });
  const runner = createRunner({
    backend,
    runnerId: process.env.SW_RESTART_CHILD_ID,
    threads: 8,
    aliveTtlMs: Number(process.env.SW_RESTART_CHILD_TTL ?? 1500),
    heartbeatEveryMs: Number(process.env.SW_RESTART_CHILD_TTL ?? 1500) / 3,
    idlePollMs: 200,
  });
  let ran: string[] = [];
  const flush = setInterval(() => {
    if (ran.length) send({ ran });
    ran = [];
  }, 10);
  runner.registerWorker({
    name: 'w',
    perform: async ({ meta }) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      ran.push(meta.id);
    },
  });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'status') send({ status: runner.status() });
    if (message.type === 'stop') {
      void runner
        .stop({ deadlineMs: 500 })
        .then(() => backend.close())
        .finally(() => {
          clearInterval(flush);
          if (ran.length) send({ ran });
          redis.disconnect();
          process.disconnect();
        });
    }
  });
  runner.start();
  send({ started: true });
}
