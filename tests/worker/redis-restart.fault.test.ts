import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createRunner } from '../../actors/worker/worker.js';
import { redisQueue } from '../../adapters/worker/redis.js';
import type { RunnerStatus } from '../../actors/worker/api.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startDurableRedis, type DurableRedis } from './helpers/durable-redis.js';

/**
 * Chaos: 3 runner processes on one durable Redis (AOF, appendfsync always) under steady load;
 * Redis is killed with SIGKILL and restarted 1 s later, 5 times. Every job whose declare()
 * resolved ("acknowledged") must run while the runners live, within aliveTtl + 2 s of the
 * restart, counted by id. A job may run twice (at-least-once), at most what the runners held at
 * the kill; none may be stranded in a live runner's working set.
 */
const childScript = fileURLToPath(new URL('./helpers/restart-child.js', import.meta.url));
const ROUNDS = 5;
const RUNNERS = 3;
const ALIVE_TTL_MS = 2000;
/** What one child can hold: its pull threshold (threads 8 × ratio 3) plus one pull batch (30). */
const HELD_PER_RUNNER = 8 * 3 + 30;

let redis: DurableRedis | undefined;
const children: ChildProcess[] = [];
const clients: Redis[] = [];

test.after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

function startChild(url: string, id: string, runs: Map<string, number>): Promise<ChildProcess> {
  const child = fork(childScript, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, SW_RESTART_CHILD_URL: url, SW_RESTART_CHILD_ID: id, SW_RESTART_CHILD_TTL: String(ALIVE_TTL_MS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // killed by test.after if still alive; never keeps the test process open by itself
  });
  children.push(child);
  child.on('message', (message: { ran?: string[] }) => {
    for (const jobId of message.ran ?? []) runs.set(jobId, (runs.get(jobId) ?? 0) + 1);
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`runner child ${id} exited with ${code}`)));
  });
}

/** A child's runner status over IPC, or a rejection after 2 s (every wait here is bounded). */
const statusOf = (child: ChildProcess) =>
  new Promise<RunnerStatus>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('runner child did not answer a status request within 2 s'));
    }, 2000);
    const onMessage = (message: { status?: RunnerStatus }) => {
      if (!message.status) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.status);
    };
    child.on('message', onMessage);
    child.send({ type: 'status' });
  });

test('Redis killed (SIGKILL) and restarted under load, 5 times: every acknowledged job runs within aliveTtl + 2 s', async () => {
  redis = await startDurableRedis();
  if (!redis) return;
  const runs = new Map<string, number>();
  await Promise.all(Array.from({ length: RUNNERS }, (_, i) => startChild(redis!.url, `r${i + 1}`, runs)));
  const producerClient = new Redis(redis.url, { retryStrategy: () => 50 });
  producerClient.on('error', () => {});
  clients.push(producerClient);
  const producer = createRunner({ backend: redisQueue(producerClient, { name: 'restart' }) });
  producer.registerWorker({ name: 'w', perform: () => {} });

  const acknowledged: string[] = [];
  let outstanding = 0;
  let loading = false;
  let payload = 0;
  /** Declares 20 jobs every 10 ms, at most 10 declares on the wire (bounded while Redis is down). */
  const load = async (ms: number) => {
    loading = true;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (outstanding < 10) {
        outstanding++;
        producer
          .declareMany(Array.from({ length: 20 }, () => ({ name: 'w', payload: payload++ })))
          .then((jobs) => acknowledged.push(...jobs.map((job) => job.id)), () => {})
          .finally(() => outstanding--);
      }
      await sleep(10);
    }
    loading = false;
  };
  const settled = () => eventually(() => outstanding === 0, 'declares in flight settled', 10_000, 10);

  const report: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const loaded = load(400);
    await sleep(300);
    await redis.kill('SIGKILL');
    await loaded;
    const down = load(1000); // declares queue in ioredis while Redis is down
    await sleep(1000);
    await redis.restart();
    const restartedAt = Date.now();
    await down;
    await load(300);
    await settled();
    const missing = () => acknowledged.filter((id) => !runs.has(id));
    const budget = Math.max(0, ALIVE_TTL_MS + 2000 - (Date.now() - restartedAt));
    await eventually(() => missing().length === 0, `round ${round}: every acknowledged job ran (missing ${missing().length})`, budget, 20).catch(
      async (error: Error) => {
        const statuses = await Promise.all(children.map(statusOf));
        throw new Error(`${error.message}; runners ${JSON.stringify(statuses.map((s) => ({ held: s.held, running: s.running, pendingAcks: s.pendingAcks, state: s.state })))}`);
      },
    );
    report.push(`round ${round}: ${acknowledged.length} acknowledged, all ran ${Date.now() - restartedAt} ms after the restart`);
  }
  assert.not.ok(loading);
  const statuses = await Promise.all(children.map(statusOf));
  const duplicates = [...runs.values()].filter((n) => n > 1).length;
  const reconciled = statuses.reduce((sum, s) => sum + s.reconciledJobs, 0);
  const reconnects = statuses.reduce((sum, s) => sum + s.backendReconnects, 0);
  console.log(`  ${report.join('\n  ')}\n  ${duplicates} duplicates (bound ${ROUNDS * RUNNERS * HELD_PER_RUNNER}), ${reconciled} stray jobs handed back, ${reconnects} reconnects`);
  assert.ok(reconnects >= ROUNDS, `the runners saw the restarts as reconnects (${reconnects})`);
  assert.ok(duplicates <= ROUNDS * RUNNERS * HELD_PER_RUNNER, `duplicates bounded by what the runners held at the kills (${duplicates})`);
  for (const child of children) child.send({ type: 'stop' });
  await eventually(() => children.every((child) => child.exitCode !== null || child.signalCode !== null), 'runner children exited after stop', 5000, 20);
});

test.run();
