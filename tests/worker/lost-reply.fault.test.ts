import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createRunner, type Runner } from '../../actors/worker/worker.js';
import { redisQueue } from '../../adapters/worker/redis.js';
import type { QueueBackend } from '../../adapters/worker/types.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * A pull whose reply is lost on the wire: a TCP proxy between the runners and Redis forwards the
 * pull, lets Redis run it, and cuts the connection before the reply gets back. ioredis reconnects
 * and re-sends the pull, so the runner gets the second run's jobs and never hears of the first's,
 * which sit in its working set. The runner reconciles after the reconnect and hands them back.
 */
const ALIVE_TTL_MS = 1500;
const CUTS = 5;
const BATCH = 200;

let server: TestRedis | undefined;
let proxy: TcpProxy | undefined;
const clients: Redis[] = [];
const runners: Runner[] = [];
const backends: QueueBackend[] = [];

test.after(async () => {
  for (const runner of runners) await runner.stop({ deadlineMs: 0 }).catch(() => {});
  for (const backend of backends) await backend.close();
  for (const client of clients) client.disconnect();
  await proxy?.close();
  await server?.stop();
});

/** The pull script's call: the only one with the waiting, jobs, working and alive keys together. */
const isPull = (chunk: Buffer) => {
  const text = chunk.toString('latin1');
  return text.includes(':waiting') && text.includes(':jobs') && text.includes(':working:') && text.includes(':alive');
};

const client = (url: string) => {
  const redis = new Redis(url, { retryStrategy: () => 30 });
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
};

test('pull replies cut on the wire: every declared job runs while the runners live, within aliveTtl + 2 s', async () => {
  server = await startRedis();
  if (!server) return;
  proxy = await startTcpProxy(server.port);
  const runs = new Map<string, number>();
  const producerBackend = redisQueue(client(server.url), { name: 'lost' });
  backends.push(producerBackend);
  const producer = createRunner({ backend: producerBackend });
  producer.registerWorker({ name: 'w', perform: () => {} });
  for (const name of ['a', 'b']) {
    const backend = redisQueue(client(proxy.url), { name: 'lost' });
    backends.push(backend);
    const runner = createRunner({ backend, runnerId: name, threads: 8, aliveTtlMs: ALIVE_TTL_MS, heartbeatEveryMs: 500, idlePollMs: 200 });
    runner.registerWorker({
      name: 'w',
      perform: async ({ meta }) => {
        await sleep(1);
        runs.set(meta.id, (runs.get(meta.id) ?? 0) + 1);
      },
    });
    runners.push(runner);
    runner.start();
  }

  const declared: string[] = [];
  for (let round = 0; round < CUTS; round++) {
    const jobs = await producer.declareMany(Array.from({ length: BATCH }, (_, i) => ({ name: 'w', payload: round * BATCH + i })));
    declared.push(...jobs.map((job) => job.id));
    const before = proxy.cuts;
    proxy.cutReplyTo(isPull);
    await eventually(() => proxy!.cuts > before, `pull reply cut #${round + 1}`, 5000, 5);
  }
  const lastCut = Date.now();

  const missing = () => declared.filter((id) => !runs.has(id));
  await eventually(() => missing().length === 0, `every declared job ran (missing ${missing().length})`, ALIVE_TTL_MS + 2000, 20).catch((error) => {
    const held = runners.map((r) => ({ held: r.status().held, running: r.status().running, pendingAcks: r.status().pendingAcks }));
    throw new Error(`${(error as Error).message}; runners ${JSON.stringify(held)}`);
  });
  const took = Date.now() - lastCut;
  const reconciled = runners.reduce((sum, r) => sum + r.status().reconciledJobs, 0);
  const reconnects = runners.reduce((sum, r) => sum + r.status().backendReconnects, 0);
  const duplicates = [...runs.values()].filter((n) => n > 1).length;
  console.log(`  lost replies: ${proxy.cuts} cut, ${reconnects} reconnects, ${reconciled} stray jobs handed back, all ${declared.length} ran ${took} ms after the last cut, ${duplicates} duplicates`);
  assert.ok(reconnects >= CUTS, 'every cut was a reconnect');
  assert.ok(reconciled > 0, 'a cut pull had moved jobs that the runner never heard of');
  assert.is(duplicates, 0, 'a job handed back was never held, so it runs once');
  await eventually(async () => (await producerBackend.counts()).completed >= declared.length, 'all acknowledged', 3000, 20);
});

test.run();
