import { createAutoHttp, type AutoHttp, type AutoHttpOptions } from '../../../actors/delivery/delivery.js';
import { memoryStore } from '../../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../../machines/delivery/task.js';
import { startWebhookSink, type WebhookSink, type WebhookSinkOptions } from '../../../examples/peers/webhook-sink.js';

/**
 * A delivery facade against a real webhook sink on loopback, and one `cleanup()` that closes
 * every facade and sink it made (call it from `test.after`).
 */
export function fixtures() {
  const closers: Array<() => Promise<void>> = [];
  return {
    async sink(options?: WebhookSinkOptions): Promise<WebhookSink> {
      const sink = await startWebhookSink(options);
      closers.push(() => sink.close());
      return sink;
    },
    autoHttp(options: AutoHttpOptions = {}): AutoHttp {
      const delivery = createAutoHttp({ store: memoryStore<DeliveryTask>(), loopIntervalMs: 50, requestTimeoutMs: 2000, ...options });
      closers.push(() => delivery.close());
      return delivery;
    },
    /** Registers any other closer (stores, servers). */
    add(closer: () => Promise<void>) {
      closers.push(closer);
    },
    async cleanup() {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    },
  };
}
