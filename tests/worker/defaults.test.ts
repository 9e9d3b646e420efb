import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { queueKeys } from '../../adapters/worker/keys.js';
import { scriptSources } from '../../adapters/worker/scripts.js';
import { hasRetriesLeft, jobRetryDelayMs } from '../../machines/worker/job-retry.js';
import { runnerMachine } from '../../machines/worker/runner.js';

/** The seed's names and defaults, pinned: retry rules, runner defaults, Redis key layout. */

test('retry: `retry` failures may still run again, the next one is dead; retry < 0 never dies', () => {
  assert.ok(hasRetriesLeft(13, 13), 'the seed default: 13 retries after the first run');
  assert.not.ok(hasRetriesLeft(13, 14));
  assert.not.ok(hasRetriesLeft(0, 1), 'retry 0: the first failure is final');
  assert.ok(hasRetriesLeft(-1, 1_000_000), 'retry < 0: unlimited');
});

test('retry delay: retryCount⁴ s + 15 s + jitter up to 30 s × (retryCount + 1), each part configurable', () => {
  assert.is(jobRetryDelayMs(1, {}, () => 0), 16_000);
  assert.is(jobRetryDelayMs(5, {}, () => 0), 625_000 + 15_000);
  assert.is(jobRetryDelayMs(1, {}, () => 0.999_999), 16_000 + Math.floor(0.999_999 * 60_000));
  assert.is(jobRetryDelayMs(2, { baseMs: 0, exponent: 2, jitterMs: 0 }), 4000);
  assert.is(jobRetryDelayMs(0, { jitterMs: 0 }), 16_000, 'counts below 1 are treated as the first failure');
});

test('runner defaults are the seed\'s: 10 threads, batches of 30 below 3 × threads, alive TTL 30 s', () => {
  const actor = createActor(runnerMachine, { input: {} });
  const context = actor.getSnapshot().context;
  assert.equal(
    [context.threads, context.pullBatchSize, context.needPullThreshold, context.aliveTtlMs, context.heartbeatEveryMs, context.idlePollMs, context.drainTimeoutMs],
    [10, 30, 30, 30_000, 10_000, 1000, 10_000],
  );
  assert.is(createActor(runnerMachine, { input: { threads: 4 } }).getSnapshot().context.needPullThreshold, 12);
});

test('every Redis key of a queue carries its hash tag (one Cluster slot), under the seed\'s prefix', () => {
  const keys = queueKeys('mail');
  const all = Object.values(keys).filter((value): value is string => typeof value === 'string');
  all.push(keys.working('runner-1'));
  for (const key of all) assert.ok(key.startsWith('worker:{mail}:'), key);
  assert.ok(queueKeys('q', 'app').jobs.startsWith('app:{q}:'));
});

test('every Lua script is loaded with its key count from its file name, and none is a client-side read-modify-write', () => {
  const sources = scriptSources();
  const names = sources.map((s) => s.command).sort();
  assert.equal(names, ['swAdd', 'swComplete', 'swFail', 'swPromote', 'swPull', 'swRecover', 'swRedrive', 'swRelease', 'swState', 'swUnregister']);
  for (const source of sources) {
    assert.not.match(source.lua, /--!include/, `${source.command}: includes inlined`);
    const declared = [...source.lua.matchAll(/^\s*KEYS\[(\d+)\]/gm)].map((m) => Number(m[1]));
    assert.is(Math.max(...declared), source.numberOfKeys, `${source.command}: header lists ${source.numberOfKeys} keys`);
  }
});

test.run();
