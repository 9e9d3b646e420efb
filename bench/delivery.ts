/**
 * Durable delivery against a plain request: deliveries per second to a local receiver answering
 * 200, through `postJson` with the file store (each task on disk — an O_DSYNC append,
 * group-committed with concurrent tasks — before its first byte is sent, its outcome recorded
 * after), against undici `request` of the same bodies with nothing stored. Both keep the same
 * number of requests in flight. Goal: ratio ≥ 0.5.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createAutoHttp } from '../actors/delivery/delivery.js';
import { fileStore } from '../adapters/delivery/file.js';
import type { DeliveryTask } from '../machines/delivery/task.js';
import { startWebhookSink } from '../examples/peers/webhook-sink.js';
import { compare } from './lib.js';

const IN_FLIGHT = 50;
const PER_ROUND = Number(process.env.BENCH_DELIVERIES ?? 3000);

/** Runs `count` calls with `IN_FLIGHT` workers; returns calls per second. */
async function pool(count: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await call(next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

const bodyOf = (i: number) => ({ orderId: i, amount: 1299, currency: 'EUR', items: [{ sku: 'A-1', qty: 2 }] });

const sink = await startWebhookSink({ record: false });
const dir = await mkdtemp(join(tmpdir(), 'sw-bench-delivery-'));
const store = fileStore<DeliveryTask>(dir);
const delivery = createAutoHttp({ store, maxConcurrent: IN_FLIGHT, loopIntervalMs: 60_000 });
const agent = new Agent({ connections: IN_FLIGHT });
let round = 0;
let failures = 0;

try {
  await compare({
    bench: 'delivery.postJson.file-store',
    unit: 'deliveries/s',
    better: 'higher',
    peer: 'undici.request',
    rounds: 7,
    warmup: 1,
    ours: async () => {
      const r = round++;
      return pool(PER_ROUND, async (i) => {
        const result = await delivery.postJson('bench', `${r}-${i}`, `${sink.url}/hook`, bodyOf(i));
        if (result.statusCode !== 200) failures++;
      });
    },
    theirs: () =>
      pool(PER_ROUND, async (i) => {
        const response = await request(`${sink.url}/hook`, {
          dispatcher: agent,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bodyOf(i)),
        });
        await response.body.text();
        if (response.statusCode !== 200) failures++;
      }),
    extra: { inFlight: IN_FLIGHT, perRound: PER_ROUND, durable: 'group-committed O_DSYNC append before send' },
  }).then((line) => {
    const stats = store.stats();
    if (failures) console.error(`${failures} deliveries did not answer 200`);
    console.error(`file store: ${stats.appended} records in ${stats.syncs} durable writes (${(stats.appended / Math.max(1, stats.syncs)).toFixed(1)} per group commit)`);
    return line;
  });
} finally {
  await delivery.close();
  await store.close();
  await agent.close();
  await sink.close();
  await rm(dir, { recursive: true, force: true });
}
