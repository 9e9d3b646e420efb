import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeadRetentionOptions } from '../../../adapters/worker/retention.js';
import type { QueueBackend } from '../../../adapters/worker/types.js';
import { ConfigError } from '../../../errors/base.js';
import { job, type ContractTarget } from './contract.js';

/**
 * The dead-set retention contract: both backends trim alike, in the `fail` step that kills a job.
 * Each test makes its own queue with the policy under test (closed after each test).
 */
const DAY = 24 * 3_600_000;

export function retentionContract(name: string, target: ContractTarget) {
  const test = suite(`queue contract, dead retention: ${name}`);
  const opened: QueueBackend[] = [];
  test.after.each(async () => {
    for (const q of opened.splice(0)) await q.close();
  });
  if (target.after) test.after(target.after);

  /** A queue with `ids` added and pulled by r1, ready to be failed. */
  async function queue(options: DeadRetentionOptions | undefined, ids: string[]): Promise<QueueBackend> {
    const q = await target.make(options);
    opened.push(q);
    await q.heartbeat('r1', 1e15);
    await q.add(ids.map((id) => job(id)), 0);
    assert.is((await q.pull('r1', ids.length, 0, 4, 1e15)).jobs.length, ids.length);
    return q;
  }
  const kill = (q: QueueBackend, ids: string[], now: number) => q.fail('r1', ids.map((id) => ({ id, retryAt: null, error: `e-${id}` })), now);
  const deadIds = async (q: QueueBackend) => (await q.dead(0, 100)).map((d) => d.id);

  test('maxJobs keeps the newest dead jobs by time of death; the trimmed lose their data and error', async () => {
    const q = await queue({ deadRetention: { maxJobs: 2, maxAgeMs: Infinity } }, ['a', 'b', 'c', 'd']);
    assert.equal(await kill(q, ['a'], 10), { moved: 1, trimmed: 0 });
    assert.equal(await kill(q, ['b'], 11), { moved: 1, trimmed: 0 });
    assert.equal(await kill(q, ['c'], 12), { moved: 1, trimmed: 1 });
    assert.equal(await deadIds(q), ['b', 'c']);
    assert.is(await q.get('a'), null, 'data deleted');
    assert.is(await q.state('a'), undefined);
    assert.not.ok(await q.redrive('a', 'low'), 'a trimmed job is gone, not dead');
    // Died earlier than every kept job (a host with a slow clock): it is the oldest, so it goes.
    assert.equal(await kill(q, ['d'], 5), { moved: 1, trimmed: 1 });
    assert.equal(await deadIds(q), ['b', 'c']);
    assert.equal((await q.dead(0, 10)).map((d) => d.error), ['e-b', 'e-c'], 'errors of the kept ones stay');
    const counts = await q.counts();
    assert.equal([counts.dead, counts.deadTrimmed, counts.failed], [2, 2, 4]);
    assert.is(await q.add([job('a')], 20), 1, 'a trimmed id may be declared again');
  });

  test('maxAgeMs deletes dead jobs older than now - maxAgeMs, only when a job dies', async () => {
    const q = await queue({ deadRetention: { maxAgeMs: 100, maxJobs: Infinity } }, ['a', 'b', 'c', 'r']);
    await kill(q, ['a'], 0);
    await kill(q, ['b'], 50);
    assert.equal(await q.fail('r1', [{ id: 'r', retryAt: 10_000, error: 'retry' }], 1000), { moved: 1, trimmed: 0 }, 'a retry trims nothing');
    assert.equal(await deadIds(q), ['a', 'b']);
    assert.equal(await kill(q, ['c'], 150), { moved: 1, trimmed: 1 });
    assert.equal(await deadIds(q), ['b', 'c'], 'b died exactly maxAgeMs ago: not older, kept');
    assert.is(await q.get('a'), null);
    assert.is((await q.counts()).deadTrimmed, 1);
  });

  test('maxJobs 0 keeps no dead job at all (the seed discards them)', async () => {
    const q = await queue({ deadRetention: { maxJobs: 0 } }, ['a', 'b']);
    assert.equal(await kill(q, ['a', 'b'], 10), { moved: 2, trimmed: 2 });
    assert.equal(await deadIds(q), []);
    for (const id of ['a', 'b']) {
      assert.is(await q.get(id), null);
      assert.is(await q.state(id), undefined);
    }
    assert.equal([(await q.counts()).dead, (await q.counts()).deadTrimmed], [0, 2]);
  });

  test('Infinity for both bounds keeps every dead job forever', async () => {
    const q = await queue({ deadRetention: { maxJobs: Infinity, maxAgeMs: Infinity } }, ['a', 'b', 'c']);
    await kill(q, ['a'], 0);
    await kill(q, ['b', 'c'], 1e13);
    assert.equal(await deadIds(q), ['a', 'b', 'c']);
    assert.is((await q.counts()).deadTrimmed, 0);
  });

  test('defaults: 180 days, 10 000 jobs (Sidekiq\'s dead set)', async () => {
    const q = await queue(undefined, ['a', 'b', 'c']);
    await kill(q, ['a'], 0);
    assert.equal(await kill(q, ['b'], 180 * DAY), { moved: 1, trimmed: 0 }, 'exactly 180 days old: kept');
    assert.equal(await kill(q, ['c'], 180 * DAY + 1), { moved: 1, trimmed: 1 });
    assert.equal(await deadIds(q), ['b', 'c']);
  });

  test('the work per call is bounded: a backlog goes deadTrimBatch at a time, a burst never outgrows maxJobs', async () => {
    const ids = ['o1', 'o2', 'o3', 'o4', 'o5', 'n1', 'n2'];
    const q = await queue({ deadRetention: { maxJobs: Infinity, maxAgeMs: 100 }, deadTrimBatch: 2 }, ids);
    for (let i = 0; i < 5; i++) await kill(q, [`o${i + 1}`], i);
    assert.equal(await kill(q, ['n1'], 1000), { moved: 1, trimmed: 3 }, 'deadTrimBatch + the one that died');
    assert.equal(await deadIds(q), ['o4', 'o5', 'n1']);
    assert.equal(await kill(q, ['n2'], 1001), { moved: 1, trimmed: 2 });
    assert.equal(await deadIds(q), ['n1', 'n2']);

    const burst = await queue({ deadRetention: { maxJobs: 1 }, deadTrimBatch: 1 }, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(await kill(burst, ['a', 'b', 'c', 'd', 'e'], 10), { moved: 5, trimmed: 4 });
    assert.equal(await deadIds(burst), ['e'], 'ties in time of death go by id, oldest first');
  });

  test('bad retention options are a ConfigError naming the field', async () => {
    const bad: Array<[DeadRetentionOptions, string]> = [
      [{ deadRetention: { maxJobs: -1 } }, 'deadRetention.maxJobs'],
      [{ deadRetention: { maxJobs: 1.5 } }, 'deadRetention.maxJobs'],
      [{ deadRetention: { maxJobs: Number.NaN } }, 'deadRetention.maxJobs'],
      [{ deadRetention: { maxAgeMs: -5 } }, 'deadRetention.maxAgeMs'],
      [{ deadRetention: { maxAgeMs: Number.NaN } }, 'deadRetention.maxAgeMs'],
      [{ deadRetention: { maxAgeMs: '1d' as never } }, 'deadRetention.maxAgeMs'],
      [{ deadTrimBatch: 0 }, 'deadTrimBatch'],
      [{ deadTrimBatch: Infinity }, 'deadTrimBatch'],
    ];
    for (const [options, field] of bad) {
      try {
        opened.push(await target.make(options));
        assert.unreachable(`accepted ${JSON.stringify(options)}`);
      } catch (error) {
        assert.instance(error, ConfigError, field);
        assert.is((error as ConfigError).details.field, field);
        assert.ok((error as Error).message.includes(field), (error as Error).message);
      }
    }
  });

  return test;
}
