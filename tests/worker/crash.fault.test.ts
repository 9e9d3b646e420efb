import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { eventually, sleep } from '../helpers/ports.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { redisRunners } from './helpers/redis-runner.js';

/**
 * kill -9 of a runner process mid-job: every job is done once or twice, never lost. The killed
 * runner's working set comes back through recovery once its alive deadline passed.
 */
const childScript = fileURLToPath(new URL('./helpers/runner-child.js', import.meta.url));
const JOBS = 300;

let server: TestRedis | undefined;
let child: ChildProcess | undefined;
let pool: ReturnType<typeof redisRunners> | undefined;
let counter: Redis | undefined;

test.after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await pool?.closeAll();
  counter?.disconnect();
  await server?.stop();
});

test('a runner killed with SIGKILL mid-job loses nothing: each job runs once or twice', async () => {
  server = await startRedis();
  if (!server) return;
  pool = redisRunners(server.url);
  counter = new Redis(server.url);
  const survivor = pool.runner('crash', { threads: 4, aliveTtlMs: 600, heartbeatEveryMs: 150 });
  survivor.registerWorker({
    name: 'w',
    perform: async ({ meta }) => {
      await sleep(1);
      await counter!.hincrby('runs', meta.id, 1);
    },
  });
  const declared = await survivor.declareMany(Array.from({ length: JOBS }, (_, i) => ({ name: 'w', payload: i })));

  child = spawn(process.execPath, ['--import', 'tsx', childScript], {
    env: { ...process.env, SW_WORKER_CHILD_URL: server.url, SW_WORKER_CHILD_QUEUE: 'crash', SW_WORKER_CHILD_RUNS: 'runs' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await eventually(async () => (await counter!.hlen('runs')) >= 40, 'the child ran some jobs', 15_000, 20);
  child.kill('SIGKILL');
  await new Promise((resolve) => child!.once('exit', resolve));
  const ranByChild = await counter.hlen('runs');
  assert.ok(ranByChild < JOBS, 'killed before it finished everything');

  survivor.start();
  await eventually(async () => (await survivor.backend.counts()).completed === JOBS, `all ${JOBS} jobs completed`, 15_000, 20);
  const runs = await counter.hgetall('runs');
  const missing = declared.filter((job) => !runs[job.id]);
  assert.equal(missing, [], 'no job lost');
  const counts = Object.values(runs).map(Number);
  assert.ok(counts.every((n) => n === 1 || n === 2), `each job ran once or twice: ${JSON.stringify(counts.filter((n) => n > 2))}`);
  assert.ok(survivor.status().recoveredJobs > 0, 'the child was holding jobs when it died, and they were recovered');
  const left = await survivor.backend.counts();
  assert.equal([left.high, left.low, left.waiting, left.dead], [0, 0, 0, 0]);
});

test.run();
