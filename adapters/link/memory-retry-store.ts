import { RetryStoreFullError } from '../../errors/link.js';
import type { RetryMessage, RetryStore } from './retry-store.js';

/**
 * The memory retry store: bounded, ordered by `order`. Acks arrive in send order, so removals
 * nearly always hit the head; a Map keeps insertion order and O(1) removal by key.
 */
export class MemoryRetryStore implements RetryStore {
  readonly kind = 'memory' as const;
  private messages = new Map<number, RetryMessage>();
  private highest = -1;

  /** @param capacity seed default 1000 (RetryQueueMemorySize). */
  constructor(readonly capacity = 1000) {}

  size(): number {
    return this.messages.size;
  }

  sizeAfter(after: number): number {
    if (after < 0) return this.messages.size;
    let count = 0;
    for (const order of this.messages.keys()) if (order > after) count++;
    return count;
  }

  maxOrder(): number {
    return this.messages.size ? this.highest : -1;
  }

  put(message: RetryMessage): void {
    if (this.messages.size >= this.capacity) throw new RetryStoreFullError(this.kind, this.capacity);
    const copy = { ...message };
    if (message.order > this.highest || this.messages.size === 0) {
      this.messages.set(message.order, copy);
      this.highest = message.order;
      return;
    }
    // Out of order (rare): rebuild so iteration stays sorted.
    const all = [...this.messages.values(), copy].sort((a, b) => a.order - b.order);
    this.messages = new Map(all.map((m) => [m.order, m]));
  }

  remove(orders: readonly number[]): void {
    for (const order of orders) this.messages.delete(order);
  }

  /** Every message, lowest order first (the stored objects: read, do not change). */
  values(): IterableIterator<RetryMessage> {
    return this.messages.values();
  }

  async peek(limit: number, after = -1): Promise<RetryMessage[]> {
    const out: RetryMessage[] = [];
    for (const message of this.messages.values()) {
      if (out.length >= limit) break;
      if (message.order > after) out.push({ ...message });
    }
    return out;
  }

  async expire(cutoff: number, after = -1): Promise<RetryMessage[]> {
    const expired: RetryMessage[] = [];
    for (const message of this.messages.values()) {
      if (message.order > after && message.createdAt < cutoff) expired.push(message);
    }
    this.remove(expired.map((m) => m.order));
    return expired;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
