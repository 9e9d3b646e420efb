import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import type { Runner } from '../../actors/worker/worker.js';
import type { JobRecord } from '../../adapters/worker/types.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startDurableRedis, type DurableRedis } from './helpers/durable-redis.js';
import { redisRunners } from './helpers/redis-runner.js';

/**
 * Redis crashes (SIGKILL + restart) or freezes (SIGSTOP / SIGCONT) under running runners: they
 * back off, come back by themselves, and every job queued before the outage still runs.
 */
const JOBS = 400;
const cleanups: Array<() => Promise<void>> = [];
test.after.each(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function loaded(url: string, queue: string) {
  const pool = redisRunners(url);
  const counter = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  counter.on('error', () => {});
  cleanups.push(async () => {
    await pool.closeAll();
    counter.disconnect();
  });
  const runs = new Map<string, number>();
  const make = () => {
    const runner = pool.runner(queue, {
      threads: 4,
      pullBatchSize: 10,
      aliveTtlMs: 10_000,
      backendBackoff: { initialMs: 20, maxMs: 200, jitter: 'equal' },
    });
    runner.registerWorker({
      name: 'w',
      perform: async ({ meta }) => {
        await sleep(2);
        runs.set(meta.id, (runs.get(meta.id) ?? 0) + 1);
      },
    });
    return runner;
  };
  const runners = [make(), make()];
  const declared: JobRecord[] = await runners[0]!.declareMany(Array.from({ length: JOBS }, (_, i) => ({ name: 'w', payload: i })));
  for (const runner of runners) runner.start();
  await eventually(() => runs.size >= 60, 'some jobs ran before the outage', 5000);
  return { runners, runs, declared, counter };
}

async function expectAllDone(runners: Runner[], runs: Map<string, number>, declared: JobRecord[]) {
  await eventually(() => runs.size === JOBS, `all ${JOBS} jobs ran`, 15_000, 20).catch(async (error) => {
    for (const r of runners) console.log(JSON.stringify(r.status()));
    console.log(await runners[0]!.backend.counts(), runs.size);
    throw error;
  });
  const lost = declared.filter((job) => !runs.has(job.id));
  assert.equal(lost, []);
  await eventually(async () => {
    const counts = await runners[0]!.backend.counts();
    return counts.high + counts.low + counts.waiting === 0;
  }, 'queues empty', 5000);
  await eventually(() => runners.every((runner) => runner.actor.getSnapshot().hasTag('ready')), 'runners ready again', 5000);
}

test('Redis SIGKILL + restart (durable Redis): runners reconnect by themselves, no queued job is lost', async () => {
  const redis: DurableRedis | undefined = await startDurableRedis();
  if (!redis) return;
  cleanups.push(() => redis.stop());
  const { runners, runs, declared } = await loaded(redis.url, 'crash');
  await redis.kill('SIGKILL');
  await sleep(300);
  assert.ok(runs.size < JOBS, 'the outage hit mid-run');
  await redis.restart();
  await expectAllDone(runners, runs, declared);
  assert.ok(runners.some((runner) => runner.status().lastError !== null), 'the outage was noticed');
});

test('Redis SIGSTOP / SIGCONT: frozen commands time out, runners back off and resume', async () => {
  const redis: TestRedis | undefined = await startRedis();
  if (!redis) return;
  cleanups.push(() => redis.stop());
  const { runners, runs, declared } = await loaded(redis.url, 'freeze');
  await redis.kill('SIGSTOP');
  await sleep(2500); // longer than the clients' 2 s command timeout
  const frozenAt = runs.size;
  await redis.kill('SIGCONT');
  assert.ok(frozenAt < JOBS, 'the freeze hit mid-run');
  await expectAllDone(runners, runs, declared);
});

test.run();
