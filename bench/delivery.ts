/**
 * Durable delivery against a plain request: deliveries per second to a local receiver answering
 * 200, through `postJson`, against undici `request` of the same bodies with nothing stored. Both
 * keep the same number of requests in flight. Two lines, one per task store:
 *   - memory store: what the delivery machinery costs beside the exchange (goal: ratio >= 0.8);
 *   - file store: each task on disk (an O_DSYNC append, group-committed with concurrent tasks)
 *     before its first byte is sent (goal: ratio >= 0.6).
 * The caller is answered before the attempt's outcome is recorded (actors/delivery/first-attempt.ts),
 * so a round's clock stops only once every delivery's outcome record is written too — else up to
 * IN_FLIGHT writes per round would fall outside it. The store is wrapped to count those records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createAutoHttp } from '../actors/delivery/delivery.js';
import { fileStore } from '../adapters/delivery/file.js';
import { memoryStore } from '../adapters/delivery/memory.js';
import type { TaskStore } from '../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../machines/delivery/task.js';
import { startWebhookSink } from '../examples/peers/webhook-sink.js';
import { compare } from './lib.js';

const IN_FLIGHT = 50;
const PER_ROUND = Number(process.env.BENCH_DELIVERIES ?? 3000);

/** Runs `count` calls with `IN_FLIGHT` workers, then `settle()`; returns calls per second over both. */
async function pool(count: number, call: (i: number) => Promise<unknown>, settle: () => Promise<void> = async () => {}): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await call(next++);
    }),
  );
  await settle();
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * The store, counting outcome records — a first attempt's `updateTask` (failed, or kept) or
 * `deleteTask` (succeeded, discarded) — once each has resolved, i.e. is durable.
 */
function countingOutcomes(store: TaskStore<DeliveryTask>) {
  let recorded = 0;
  let waiting: { count: number; resolve: () => void } | undefined;
  const counted = () => {
    recorded++;
    if (waiting && recorded >= waiting.count) waiting.resolve();
  };
  const wrapped: TaskStore<DeliveryTask> = {
    createTask: (draft) => store.createTask(draft),
    deleteTask: async (id) => {
      await store.deleteTask(id);
      counted();
    },
    updateTask: async (task) => {
      const written = await store.updateTask(task);
      counted();
      return written;
    },
    incompleteTaskIds: (now, limit) => store.incompleteTaskIds(now, limit),
    taskIdsToClean: (status, before, limit) => store.taskIdsToClean(status, before, limit),
    taskDetail: (id) => store.taskDetail(id),
    taskDetailByBusiness: (type, id) => store.taskDetailByBusiness(type, id),
    countByStatus: () => store.countByStatus(),
    close: () => store.close(),
  };
  return {
    store: wrapped,
    get recorded() {
      return recorded;
    },
    /** Resolves once `count` outcomes are recorded in all; rejects after `timeoutMs`. */
    reach(count: number, timeoutMs = 30_000): Promise<void> {
      if (recorded >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${recorded}/${count} outcome records after ${timeoutMs} ms`)), timeoutMs);
        waiting = { count, resolve: () => (clearTimeout(timer), (waiting = undefined), resolve()) };
      });
    },
  };
}

const bodyOf = (i: number) => ({ orderId: i, amount: 1299, currency: 'EUR', items: [{ sku: 'A-1', qty: 2 }] });

const sink = await startWebhookSink({ record: false });
const agent = new Agent({ connections: IN_FLIGHT });
const dir = await mkdtemp(join(tmpdir(), 'sw-bench-delivery-'));
const file = fileStore<DeliveryTask>(dir);
let failures = 0;
const plain = () =>
  pool(PER_ROUND, async (i) => {
    const response = await request(`${sink.url}/hook`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bodyOf(i)),
    });
    await response.body.text();
    if (response.statusCode !== 200) failures++;
  });

/** One line: `postJson` through `store` against the plain request. */
async function line(name: string, store: TaskStore<DeliveryTask>, extra: Record<string, unknown>) {
  const outcomes = countingOutcomes(store);
  const delivery = createAutoHttp({ store: outcomes.store, maxConcurrent: IN_FLIGHT, loopIntervalMs: 60_000 });
  let round = 0;
  try {
    return await compare({
      bench: `delivery.postJson.${name}`,
      unit: 'deliveries/s',
      better: 'higher',
      peer: 'undici.request',
      rounds: 7,
      warmup: 1,
      ours: () => {
        const r = round++;
        const target = outcomes.recorded + PER_ROUND;
        return pool(
          PER_ROUND,
          async (i) => {
            const result = await delivery.postJson('bench', `${r}-${i}`, `${sink.url}/hook`, bodyOf(i));
            if (result.statusCode !== 200) failures++;
          },
          () => outcomes.reach(target),
        );
      },
      theirs: plain,
      extra: { inFlight: IN_FLIGHT, perRound: PER_ROUND, timed: 'until every outcome record is written', ...extra },
    });
  } finally {
    await delivery.close();
  }
}

try {
  await line('memory-store', memoryStore<DeliveryTask>(), { durable: 'no (in process)' });
  await line('file-store', file, { durable: 'group-committed O_DSYNC append before send' });
  const stats = file.stats();
  if (failures) console.error(`${failures} deliveries did not answer 200`);
  console.error(`file store: ${stats.appended} records in ${stats.syncs} durable writes (${(stats.appended / Math.max(1, stats.syncs)).toFixed(1)} per group commit)`);
} finally {
  await file.close();
  await agent.close();
  await sink.close();
  await rm(dir, { recursive: true, force: true });
}
