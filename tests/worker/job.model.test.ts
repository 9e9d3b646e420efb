import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createActor, type AnyActorRef, type AnyEventObject } from 'xstate';
import { decodeJob, encodeJob } from '../../adapters/worker/codec.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import { redisQueue } from '../../adapters/worker/redis.js';
import type { JobRecord, QueueBackend, StoredJobState } from '../../adapters/worker/types.js';
import { jobMachine } from '../../machines/worker/job.js';
import { hasRetriesLeft } from '../../machines/worker/job-retry.js';
import { runModel } from '../helpers/model.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

/**
 * The job chart is the spec of the queue scripts: every path of it is replayed against a real
 * backend, and after each step the job must be where the chart says (memory and Redis alike).
 */
const where: Record<string, StoredJobState | undefined> = {
  declared: undefined,
  waiting: 'waiting',
  ready: 'ready',
  working: 'working',
  dead: 'dead',
  done: undefined,
};

interface Harness {
  actor: AnyActorRef;
  backend: QueueBackend;
  now: number;
}

const ID = 'job-1';
const RUNNER = 'runner-1';
const record = (now: number): JobRecord => ({ id: ID, name: 'w', payload: { n: 1 }, queue: 'high', retry: 1, retryCount: 0, createdAt: now, performAt: null, error: null });

async function apply(h: Harness, event: AnyEventObject): Promise<void> {
  const { backend } = h;
  switch (event.type) {
    case 'job.add': {
      const performAt = event.delayed ? h.now + 1000 : h.now;
      await backend.add([{ id: ID, queue: 'high', performAt, data: encodeJob(record(h.now)) }], h.now);
      break;
    }
    case 'job.promote':
      h.now += 1000;
      strictEqual(await backend.promoteDue(h.now, 100), 1);
      break;
    case 'job.pull':
      strictEqual((await backend.pull(RUNNER, 1, h.now, 4, 1e12)).jobs.length, 1);
      break;
    case 'job.complete':
      strictEqual(await backend.complete(RUNNER, [ID]), 1);
      break;
    case 'job.fail': {
      const stored = decodeJob(ID, (await backend.get(ID))!);
      const retryCount = stored.retryCount + 1;
      const retryAt = hasRetriesLeft(stored.retry, retryCount) ? h.now + 1000 : null;
      await backend.fail(RUNNER, [{ id: ID, data: encodeJob({ ...stored, retryCount, error: 'boom' }), retryAt, error: 'boom' }], h.now);
      break;
    }
    case 'job.reject':
      await backend.fail(RUNNER, [{ id: ID, retryAt: null, error: 'malformed' }], h.now);
      break;
    case 'job.recover':
      await backend.heartbeat(RUNNER, h.now - 1);
      strictEqual((await backend.recover(h.now)).jobs, 1);
      await backend.heartbeat(RUNNER, h.now + 1e9);
      break;
    case 'job.redrive': {
      const stored = decodeJob(ID, (await backend.get(ID))!);
      strictEqual(await backend.redrive(ID, stored.queue, encodeJob({ ...stored, retryCount: 0 })), true);
      break;
    }
    default:
      throw new Error(`no backend step for ${event.type}`);
  }
  h.actor.send(event);
}

async function walk(makeBackend: () => QueueBackend) {
  return runModel<Harness>({
    machine: jobMachine,
    input: { retry: 1 },
    events: () => [
      { type: 'job.add', delayed: true },
      { type: 'job.add', delayed: false },
      { type: 'job.promote' },
      { type: 'job.pull' },
      { type: 'job.complete' },
      { type: 'job.fail' },
      { type: 'job.reject' },
      { type: 'job.recover' },
      { type: 'job.redrive' },
    ],
    serializeState: (s) => JSON.stringify([s.value, s.context.retryCount]),
    start: async (inspect) => {
      const backend = makeBackend();
      await backend.heartbeat(RUNNER, 1e12);
      return { actor: createActor(jobMachine, { inspect, input: { retry: 1 } }).start(), backend, now: 1_000_000 };
    },
    execute: apply,
    check: async (h, expected) => {
      deepStrictEqual(h.actor.getSnapshot().value, expected.value);
      strictEqual(await h.backend.state(ID), where[expected.value as string], `backend state in ${String(expected.value)}`);
    },
    stop: async (h) => {
      h.actor.stop();
      await h.backend.close();
    },
  });
}

let server: TestRedis | undefined;
let redis: Redis | undefined;

test.after(async () => {
  redis?.disconnect();
  await server?.stop();
});

test('job chart: every path holds on the memory backend', async () => {
  const coverage = await walk(() => memoryQueue());
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test('job chart: every path holds on the Redis backend (the Lua scripts)', async () => {
  server = await startRedis();
  if (!server) return;
  redis = new Redis(server.url);
  let n = 0;
  const coverage = await walk(() => redisQueue(redis!, { name: `model${n++}` }));
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
