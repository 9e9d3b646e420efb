/**
 * worker vs BullMQ on one private redis-server, same run, no-op jobs:
 *   1. jobs added per second, in bulk (1000 per call, sequential calls, both sides);
 *   2. jobs processed per second end to end (jobs queued beforehand; the clock stops when every
 *      job ran and its acknowledgement reached Redis: completed == N for ours, nothing waiting or
 *      active for BullMQ).
 * Both sides: 100 concurrent slots, data removed on completion (BullMQ `removeOnComplete: true`),
 * connected and with their scripts loaded before the clock starts (BullMQ's Worker is created with
 * `autorun: false` and awaited `waitUntilReady()`, then `run()` inside the timer; ours is created
 * and has declared its jobs before it). At-least-once is checked after every round on both sides:
 * every job ran (counted by payload index), none left queued.
 *
 * Not like for like, by design — read the ratio with this: per job BullMQ writes what we do not:
 * an `id` INCR on add, events on its stream (XADD added/waiting/active/completed, XTRIM), a lock
 * key per active job (SET PX, then GET + DEL), and the active list / stalled set moves (LREM, SREM);
 * ours keeps one working hash per runner and batches pulls and acknowledgements (one script call
 * per batch, not per job). Measured with MONITOR on 20 jobs: ~18 Redis commands per job for
 * BullMQ (add + process), ~1 for ours. The line's `peerWritesPerJob` names them.
 * A third line measures what a per-job XState actor would cost (in memory, no Redis in the way),
 * a fourth Redis's memory per waiting job (used_memory before and after queueing JOBS jobs).
 */
import { Queue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { createActor } from 'xstate';
import { createRunner } from '../actors/worker/worker.js';
import { redisQueue } from '../adapters/worker/redis.js';
import { jobMachine } from '../machines/worker/job.js';
import { startRedis } from '../tests/helpers/redis.js';
import { sleep } from '../tests/helpers/ports.js';
import { compare, printLine } from './lib.js';

const JOBS = Number(process.env.BENCH_WORKER_JOBS ?? 10_000);
const CHUNK = 1000;
const CONCURRENCY = 100;

async function main(): Promise<void> {
  const server = await startRedis();
  if (!server) {
    console.log(JSON.stringify({ bench: 'worker', skipped: 'redis-server not found' }));
    return;
  }
  const { port } = server;
  const admin = new Redis(server.url);
  let round = 0;
  try {
    // ---- 1. bulk add
    await compare({
      bench: 'worker.add.bulk',
      unit: 'jobs/s',
      better: 'higher',
      peer: 'bullmq',
      rounds: 3,
      ours: async () => {
        await admin.flushdb();
        const redis = new Redis(server.url);
        const runner = createRunner({ backend: redisQueue(redis, { name: `add${round++}` }) });
        runner.registerWorker({ name: 'noop', perform: () => {} });
        const jobs = Array.from({ length: CHUNK }, (_, i) => ({ name: 'noop', payload: { i } }));
        const start = performance.now();
        for (let i = 0; i < JOBS; i += CHUNK) await runner.declareMany(jobs);
        const rate = JOBS / ((performance.now() - start) / 1000);
        await runner.stop();
        redis.disconnect();
        return rate;
      },
      theirs: async () => {
        await admin.flushdb();
        const queue = new Queue(`add${round++}`, { connection: { host: '127.0.0.1', port } });
        const jobs = Array.from({ length: CHUNK }, (_, i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: true } }));
        const start = performance.now();
        for (let i = 0; i < JOBS; i += CHUNK) await queue.addBulk(jobs);
        const rate = JOBS / ((performance.now() - start) / 1000);
        await queue.close();
        return rate;
      },
    });

    // ---- 2. processing end to end
    const lost = { ours: [] as number[], bullmq: [] as number[] };
    await compare({
      bench: 'worker.process',
      unit: 'jobs/s',
      better: 'higher',
      peer: 'bullmq',
      rounds: 3,
      extra: {
        jobs: JOBS,
        concurrency: CONCURRENCY,
        peerWritesPerJob: 'id INCR, event stream XADD ×4 + XTRIM, lock SET/GET/DEL, active LREM, stalled SREM (ours: none of these)',
      },
      ours: async () => {
        await admin.flushdb();
        const redis = new Redis(server.url);
        const backend = redisQueue(redis, { name: `proc${round++}` });
        const runner = createRunner({ backend, threads: CONCURRENCY, pullBatchSize: 3 * CONCURRENCY });
        const seen = new Uint8Array(JOBS);
        let ran = 0;
        runner.registerWorker<{ i: number }>({ name: 'noop', perform: ({ payload }) => { seen[payload.i] = 1; ran++; } });
        for (let i = 0; i < JOBS; i += CHUNK) {
          await runner.declareMany(Array.from({ length: Math.min(CHUNK, JOBS - i) }, (_, j) => ({ name: 'noop', payload: { i: i + j } })));
        }
        const start = performance.now();
        runner.start();
        const deadline = Date.now() + 30_000;
        while ((await backend.counts()).completed < JOBS && Date.now() < deadline) await sleep(2);
        const rate = JOBS / ((performance.now() - start) / 1000);
        await runner.stop();
        const counts = await backend.counts();
        lost.ours.push(seen.reduce((missing, v) => missing + (v ? 0 : 1), 0) + counts.high + counts.low + counts.waiting);
        if (ran < JOBS) throw new Error(`ours ran ${ran}/${JOBS} jobs`);
        await backend.close();
        redis.disconnect();
        return rate;
      },
      theirs: async () => {
        await admin.flushdb();
        const name = `proc${round++}`;
        const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
        const queue = new Queue(name, { connection });
        for (let i = 0; i < JOBS; i += CHUNK) {
          await queue.addBulk(Array.from({ length: Math.min(CHUNK, JOBS - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
        }
        const seen = new Uint8Array(JOBS);
        let ran = 0;
        const worker = new BullWorker<{ i: number }>(name, async (job) => { seen[job.data.i] = 1; ran++; }, { connection, concurrency: CONCURRENCY, autorun: false });
        // Connected, scripts loaded: what ours has done before its clock starts too.
        await worker.waitUntilReady();
        const start = performance.now();
        const running = worker.run().catch((error: unknown) => console.error('bullmq worker failed', error));
        const deadline = Date.now() + 30_000;
        for (;;) {
          if (Date.now() > deadline) break;
          if (ran >= JOBS) {
            const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
            if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) === 0) break;
          }
          await sleep(2);
        }
        const rate = JOBS / ((performance.now() - start) / 1000);
        await worker.close();
        await running;
        const left = await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed', 'failed');
        lost.bullmq.push(seen.reduce((missing, v) => missing + (v ? 0 : 1), 0) + Object.values(left).reduce((a, b) => a + (b ?? 0), 0));
        if (ran < JOBS) throw new Error(`bullmq ran ${ran}/${JOBS} jobs`);
        await queue.close();
        return rate;
      },
    });
    // Every round of both sides, warm-up included: each must be 0.
    console.log(JSON.stringify({ bench: 'worker.at-least-once', lostJobsPerRound: lost, ok: [...lost.ours, ...lost.bullmq].every((n) => n === 0) }));

    // ---- 3. why jobs do not pass through a per-job XState actor: the same memory-backed run,
    //         with and without driving the job chart (add → pull → complete) for every job.
    const inMemory = async (perJobActor: boolean) => {
      const runner = createRunner({ threads: CONCURRENCY, pullBatchSize: 3 * CONCURRENCY });
      let ran = 0;
      runner.registerWorker({
        name: 'noop',
        perform: () => {
          ran++;
          if (!perJobActor) return;
          const job = createActor(jobMachine, { input: {} }).start();
          job.send({ type: 'job.add', delayed: false });
          job.send({ type: 'job.pull' });
          job.send({ type: 'job.complete' });
        },
      });
      for (let i = 0; i < JOBS; i += CHUNK) await runner.declareMany(Array.from({ length: CHUNK }, () => ({ name: 'noop' })));
      const start = performance.now();
      runner.start();
      while (ran < JOBS) await new Promise((resolve) => setImmediate(resolve));
      const rate = JOBS / ((performance.now() - start) / 1000);
      await runner.stop();
      return rate;
    };
    await compare({
      bench: 'worker.process.memory',
      unit: 'jobs/s',
      better: 'higher',
      peer: 'same with a per-job XState actor',
      rounds: 3,
      ours: () => inMemory(false),
      theirs: () => inMemory(true),
    });

    // ---- 4. Redis memory per waiting job (the same jobs as 1.): INFO used_memory before and after.
    const used = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? NaN);
    const usage = async (key: string) => Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    await admin.flushdb();
    let base = await used();
    const redis = new Redis(server.url);
    const backend = redisQueue(redis, { name: 'bytes' });
    const runner = createRunner({ backend });
    runner.registerWorker({ name: 'noop', perform: () => {} });
    for (let i = 0; i < JOBS; i += CHUNK) await runner.declareMany(Array.from({ length: CHUNK }, (_, j) => ({ name: 'noop', payload: { i: i + j } })));
    const ours = ((await used()) - base) / JOBS;
    const split = { jobsHash: (await usage(backend.keys.jobs)) / JOBS, readyList: (await usage(backend.keys.low)) / JOBS };
    await runner.stop();
    await backend.close();
    redis.disconnect();
    await admin.flushdb();
    base = await used();
    const queue = new Queue('bytes', { connection: { host: '127.0.0.1', port } });
    for (let i = 0; i < JOBS; i += CHUNK) await queue.addBulk(Array.from({ length: CHUNK }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
    const theirs = ((await used()) - base) / JOBS;
    const events = (await usage('bull:bytes:events')) / JOBS;
    await queue.close();
    printLine({
      bench: 'worker.redis-bytes.waiting-job',
      unit: 'bytes/job',
      better: 'lower',
      peer: 'bullmq',
      ours,
      theirs,
      extra: {
        jobs: JOBS,
        oursSplit: { jobsHash: Math.round(split.jobsHash), readyList: Math.round(split.readyList) },
        // BullMQ's stream is capped (~10 000 events), so this share shrinks as the queue grows.
        peerEventStream: Math.round(events),
        peerWithoutEventStream: Math.round(theirs - events),
        why: 'our 36-char UUID id is kept 3 times (jobs hash field, ready list, "id" inside the JSON) where BullMQ keeps a short INCR id; the JSON also carries performAt/error null',
      },
    });
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
