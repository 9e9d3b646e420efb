import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JobTimeoutError } from '../../errors/worker.js';
import { eventually } from '../helpers/ports.js';
import { useRedisRunners } from './helpers/redis-runner.js';

/** Job timeouts and dead-set retention on a real redis-server, with real timers. */
const onRedis = useRedisRunners(test);

test('performs that ignore their signal die by timeout on Redis; retention keeps one; late settlements are ignored', async () => {
  if (!onRedis.ready) return;
  const runner = onRedis.pool.runner('timeouts', { threads: 3 }, { deadRetention: { maxJobs: 1 } });
  const releases: Array<() => void> = [];
  const reasons: unknown[] = [];
  runner.registerWorker({
    name: 'hang',
    timeoutMs: 100,
    perform: ({ signal }) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => reasons.push(signal.reason));
        releases.push(resolve); // ignores the abort: settles only when the test says so
      }),
  });
  await runner.declareMany([1, 2, 3].map((payload) => ({ name: 'hang', payload, options: { retry: 0 } })));
  const startedAt = Date.now();
  runner.start();
  await eventually(() => runner.status().deadCount === 3, 'three jobs timed out and died', 3000);
  assert.ok(Date.now() - startedAt >= 100, 'not before the timeout');
  assert.ok(reasons.length === 3 && reasons.every((r) => r instanceof JobTimeoutError));
  await eventually(() => runner.status().pendingAcks === 0, 'acknowledged', 3000);
  const dead = await runner.dead();
  assert.is(dead.length, 1, 'deadRetention.maxJobs: 1');
  assert.ok(dead[0]!.error?.includes('timed out after 100 ms'), String(dead[0]!.error));
  assert.equal([runner.status().deadTrimmed, (await runner.backend.counts()).deadTrimmed], [2, 2]);
  assert.equal([runner.status().overdue, runner.status().running], [3, 3], 'slots stay taken by the overdue performs');
  for (const release of releases) release();
  await eventually(() => runner.status().running === 0, 'slots freed when the performs settle', 3000);
  const counts = await runner.backend.counts();
  assert.equal([counts.completed, counts.failed, counts.dead], [0, 3, 1], 'late successes acknowledged nothing');
});

test('a perform that honours its signal is retried after its timeout, then succeeds', async () => {
  if (!onRedis.ready) return;
  const runner = onRedis.pool.runner('timeout-retry', { retryDelayMs: () => 0, idlePollMs: 20 });
  let runs = 0;
  runner.registerWorker({
    name: 'w',
    timeoutMs: 80,
    perform: ({ signal }) => {
      runs++;
      if (runs > 1) return Promise.resolve();
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    },
  });
  const meta = await runner.declare({ name: 'w' });
  runner.start();
  await eventually(async () => (await runner.backend.counts()).completed === 1, 'the retry completed', 3000);
  assert.equal([runs, runner.status().timeoutCount, runner.status().failCount], [2, 1, 1]);
  assert.is(await runner.backend.state(meta.id), undefined);
});

test.run();
