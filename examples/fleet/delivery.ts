import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAutoHttp, type AutoHttp } from '../../actors/delivery/delivery.js';
import { startWebhookSink } from '../peers/webhook-sink.js';
import type { DemoPart } from './part.js';

/**
 * Durable delivery in the fleet: webhooks posted to the reference sink on loopback, through the
 * embedded file store (a temp directory, removed on stop). Four deliveries a second; every tenth
 * is answered 429 with Retry-After: 1, and the sink is down for 4 s out of every 20, so the table
 * shows failures piling up, retries on their schedule, and everything delivered once it is back.
 */
export async function start(): Promise<DemoPart> {
  const sink = await startWebhookSink();
  const dir = await mkdtemp(join(tmpdir(), 'statewire-fleet-delivery-'));
  const deliveries = new Map<string, AutoHttp>();
  let tick = 0;
  let callErrors = 0;
  let sinkErrors = 0;

  const timer = setInterval(() => {
    tick++;
    // 20 s cycle: the sink is down from 12 s to 16 s.
    const second = (tick / 4) % 20;
    // A failed down/up (the port taken meanwhile) is counted, not an unhandled rejection that ends the demo.
    if (second === 12) sink.down().catch(() => sinkErrors++);
    if (second === 16) sink.up().catch(() => sinkErrors++);
    if (tick % 10 === 0) sink.throttleNext(1, 1);
    for (const [id, delivery] of deliveries) {
      if (!delivery.actor.getSnapshot().hasTag('ready')) continue;
      delivery.postJson('order.paid', `${id}-${tick}`, `${sink.url}/webhooks/orders`, { order: tick, amount: 1299 }).catch(() => callErrors++);
    }
  }, 250);

  return {
    staged: 'every 10th webhook answered 429 (Retry-After: 1); the sink is down 4 s in every 20: failures, retries, all delivered',
    actors: [
      {
        id: 'delivery',
        create: (env) => {
          const delivery = createAutoHttp({
            ...env,
            storeDir: join(dir, env.id),
            retry: { kind: 'step', intervalMs: 1000, times: 0, jitter: 0.2 },
            loopIntervalMs: 500,
            holdMs: 2000,
            requestTimeoutMs: 1000,
            maxConcurrent: 16,
            autoClean: { enabled: true, successAgeMs: 30_000, intervalMs: 5000 },
            taskAddIfSuccess: true,
          });
          deliveries.set(env.id, delivery);
          return delivery;
        },
      },
    ],
    summary(id) {
      const delivery = deliveries.get(id);
      if (!delivery) return '-';
      const c = delivery.counters();
      return `delivered=${c.delivery_success_total} waiting=${c.delivery_tasks_failure} failed_attempts=${c.delivery_failure_total} attempts=${c.delivery_attempts_total} sink=${sink.isUp() ? 'up' : 'DOWN'} call_errors=${callErrors} sink_errors=${sinkErrors}`;
    },
    async stop() {
      clearInterval(timer);
      for (const delivery of deliveries.values()) await delivery.close();
      await sink.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
