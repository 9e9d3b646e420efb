import type { JournalPosition } from '../journal/journal.js';

/**
 * The retry store port: where unacknowledged reports wait. Two implementations, one contract
 * (tests/link/retry-store.*.test.ts): a bounded memory store, and a disk store over a write-ahead
 * log that survives a crash of the process.
 *
 * Messages are ordered by `order` (a position the link assigns, increasing over the link's whole
 * life, across restarts), not by arrival: reports replayed after a restart keep their place.
 * A message stays stored until `remove` (its ack arrived, or it was given up).
 */
export interface RetryMessage {
  /** The frame id (what the server acks). */
  id: string;
  /** FIFO position. Unique within a store. */
  order: number;
  /** The encoded frame, sent as is. */
  frame: string;
  /** Times the frame was re-sent. */
  attempt: number;
  /** When the report was made (epoch ms): the TTL counts from here. */
  createdAt: number;
  /** Where the disk store logged it (set by `DiskRetryStore.log`); absent when not logged. */
  at?: JournalPosition;
}

export interface RetryStore {
  readonly kind: 'memory' | 'disk';
  /** Most messages the store holds; `put` beyond it throws `RetryStoreFullError`. */
  readonly capacity: number;
  size(): number;
  /** Messages with `order > after`. */
  sizeAfter(after: number): number;
  /** Highest order held, or -1 when empty. */
  maxOrder(): number;
  /** Stores a message (synchronously accounted; a disk write completes in the background, in order). */
  put(message: RetryMessage): void;
  /** Forgets messages by order; unknown orders are ignored. */
  remove(orders: readonly number[]): void;
  /** Up to `limit` messages with `order > after`, lowest order first. */
  peek(limit: number, after?: number): Promise<RetryMessage[]>;
  /** Removes and returns the messages with `order > after` made before `cutoff` (epoch ms). */
  expire(cutoff: number, after?: number): Promise<RetryMessage[]>;
  /** Resolves when every write and delete issued so far is done. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
