import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { queueKeys } from '../../adapters/worker/keys.js';
import { eventually, sleep } from '../helpers/ports.js';
import { useRedisRunners } from './helpers/redis-runner.js';

/** createRunner against a real redis-server: timing, exclusivity, bad data. */
const onRedis = useRedisRunners(test);

test('delayed jobs run at their time on Redis (woken by the next due time, not a poll)', async () => {
  if (!onRedis.ready) return;
  const runner = onRedis.pool.runner('delayed', { idlePollMs: 10_000 });
  const ranAt = new Map<number, number>();
  runner.registerWorker<number>({ name: 'w', perform: ({ payload }) => void ranAt.set(payload, Date.now()) });
  runner.start();
  await sleep(50);
  const base = Date.now();
  await runner.declareMany([300, 150].map((ms) => ({ name: 'w', payload: ms, options: { performAt: base + ms } })));
  await eventually(() => ranAt.size === 2, 'both delayed jobs ran', 3000);
  for (const [ms, at] of ranAt) {
    assert.ok(at >= base + ms, `job due at +${ms} ran early (+${at - base})`);
    assert.ok(at < base + ms + 400, `job due at +${ms} ran late (+${at - base})`);
  }
});

test('two live runners never run the same job at once, and every job runs exactly once', async () => {
  if (!onRedis.ready) return;
  const running = new Set<number>();
  const runs = new Map<number, number>();
  let overlaps = 0;
  const perform = async ({ payload }: { payload: number }) => {
    if (running.has(payload)) overlaps++;
    running.add(payload);
    runs.set(payload, (runs.get(payload) ?? 0) + 1);
    await sleep(payload % 3);
    running.delete(payload);
  };
  const a = onRedis.pool.runner('exclusive', { threads: 8, pullBatchSize: 10 });
  const b = onRedis.pool.runner('exclusive', { threads: 8, pullBatchSize: 10 });
  a.registerWorker({ name: 'w', perform });
  b.registerWorker({ name: 'w', perform });
  await a.declareMany(Array.from({ length: 400 }, (_, i) => ({ name: 'w', payload: i })));
  a.start();
  b.start();
  await eventually(async () => (await a.backend.counts()).completed === 400, 'all 400 jobs completed', 10_000);
  assert.is(overlaps, 0);
  assert.is(runs.size, 400);
  assert.ok([...runs.values()].every((n) => n === 1), 'no job ran twice while both runners lived');
  assert.ok(a.status().execCount > 0 && b.status().execCount > 0, 'both runners took work');
});

test('malformed job data in Redis goes to dead with a clear error; the runner keeps going', async () => {
  if (!onRedis.ready) return;
  const { redis } = onRedis.pool.backend('malformed');
  const keys = queueKeys('malformed');
  await redis.hset(keys.jobs, 'bad-json', '{not json', 'bad-shape', JSON.stringify({ id: 'bad-shape', name: 'w', queue: 'low', retry: 'x' }));
  await redis.rpush(keys.low, 'bad-json', 'bad-shape', 'no-data');
  const runner = onRedis.pool.runner('malformed');
  let good = 0;
  runner.registerWorker({ name: 'w', perform: () => void good++ });
  await runner.declare({ name: 'w' });
  runner.start();
  await eventually(async () => (await runner.backend.counts()).dead === 2 && good === 1, 'two dead, one good job done', 3000);
  const dead = await runner.dead();
  const byId = new Map(dead.map((d) => [d.id, d]));
  assert.match(byId.get('bad-json')!.error ?? '', /SW_WORKER_JOB_MALFORMED|malformed data: not JSON/);
  assert.is(byId.get('bad-json')!.raw, '{not json');
  assert.is(byId.get('bad-json')!.job, null);
  assert.match(byId.get('bad-shape')!.error ?? '', /field "retry" must be an integer/);
  assert.is(runner.status().malformedCount, 2);
  assert.ok(runner.actor.getSnapshot().hasTag('ready'), 'still serving');
  assert.is(await redis.llen(keys.low), 0, 'the id without data was dropped, not looping');
});

test('on Redis a failing job retries after its backoff, dies with its error, and is re-driven', async () => {
  if (!onRedis.ready) return;
  const runner = onRedis.pool.runner('retry', { retryDelayMs: () => 100 });
  const runsAt: number[] = [];
  let healthy = false;
  runner.registerWorker({
    name: 'w',
    perform: () => {
      runsAt.push(Date.now());
      if (!healthy) throw new Error(`failure ${runsAt.length}`);
    },
  });
  const meta = await runner.declare({ name: 'w' }, { retry: 2, queue: 'high' });
  runner.start();
  await eventually(async () => (await runner.dead()).length === 1, 'the job is dead after 3 runs', 3000);
  assert.is(runsAt.length, 3);
  assert.ok(runsAt[1]! - runsAt[0]! >= 100 && runsAt[2]! - runsAt[1]! >= 100, 'each retry waited its backoff');
  const [dead] = await runner.dead();
  assert.is(dead!.error, 'failure 3');
  assert.equal([dead!.job?.retryCount, dead!.job?.queue], [3, 'high']);
  healthy = true;
  assert.ok(await runner.redrive(meta.id));
  await eventually(() => runsAt.length === 4, 'the re-driven job ran', 3000);
  await eventually(async () => (await runner.backend.state(meta.id)) === undefined, 'and is done', 3000);
});

test.run();
