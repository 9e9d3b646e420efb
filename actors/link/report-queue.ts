import type { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import type { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import type { RetryMessage, RetryStore } from '../../adapters/link/retry-store.js';
import type { DropReason } from '../../errors/link.js';
import type { Home } from './in-flight.js';

export interface ReportQueueOptions {
  memory: MemoryRetryStore;
  /** The write-ahead log and its disk-only queue; null: memory only. */
  disk: DiskRetryStore | null;
  warningThreshold: number;
  batchLoadSize: number;
  /** Shared with the outbox's counters: the queue counts what it takes in. */
  counts: { queued: number };
  /** A report the queue could not keep (overflow, TTL): the outbox counts and reports it. */
  onDropped: (message: RetryMessage, reason: DropReason) => void;
  /** The queue ran empty during a pump: whoever waits for the outbox to settle may be woken. */
  onEmptied: () => void;
  onWarning: (size: number, threshold: number) => void;
}

/**
 * A store plus how far into it the outbox has read. A message stays in its store until acked (so
 * a disk report survives a crash while in flight); the cursor keeps those already in flight from
 * being loaded twice.
 */
class Lane<S extends RetryStore> {
  /** Highest order already moved into flight. */
  cursor = -1;

  constructor(readonly store: S, readonly home: Home) {}

  /** Something not yet in flight waits here. */
  waiting(): boolean {
    return this.store.sizeAfter(this.cursor) > 0;
  }

  /** Up to `limit` messages not yet in flight; `advance` once they are put in flight. */
  peek(limit: number): Promise<RetryMessage[]> {
    return this.store.peek(limit, this.cursor);
  }

  advance(batch: readonly RetryMessage[]): void {
    if (batch.length) this.cursor = batch.at(-1)!.order;
  }

  expire(cutoff: number): Promise<RetryMessage[]> {
    return this.store.expire(cutoff, this.cursor);
  }
}

/**
 * The reports waiting to be sent, in order: the memory ring first, the disk store behind it (a
 * report goes to disk once memory is full, or once anything waits on disk, so order holds), and
 * dropped as `overflow` when both are full. The disk store's reports (a previous process's,
 * replayed from its log) come first.
 *
 * With a disk store every report is in its log already (the outbox logs it before anything
 * else); the memory ring only decides whose frame stays in memory. A report that leaves the queue
 * for good is marked done in the log (`forget`), so a restart never sends it again.
 *
 * `pump` and `expire` both move the cursors: the outbox runs them one at a time.
 */
export class ReportQueue {
  private readonly memory: Lane<MemoryRetryStore>;
  private readonly disk: Lane<DiskRetryStore> | null;
  /** True while any queued report has not been put in flight: new reports must queue behind. */
  private hasBacklog: boolean;
  private warned = false;

  constructor(private readonly options: ReportQueueOptions) {
    this.memory = new Lane(options.memory, 'memory');
    this.disk = options.disk ? new Lane(options.disk, 'disk') : null;
    this.hasBacklog = (options.disk?.size() ?? 0) > 0;
  }

  /** Some queued report is not in flight yet (a fresh report must not overtake it). */
  get backlog(): boolean {
    return this.hasBacklog;
  }

  enqueue(message: RetryMessage): void {
    this.hasBacklog = true;
    this.options.counts.queued++;
    // Memory only while nothing waits on disk: a report must not overtake those queued on disk before it.
    if (!this.disk?.waiting() && this.options.memory.size() < this.options.memory.capacity) {
      this.options.memory.put(message);
      return;
    }
    const disk = this.disk?.store;
    if (disk && disk.size() < disk.capacity) {
      disk.put(message);
      this.checkWarning();
      return;
    }
    disk?.finish(message.order);
    this.options.onDropped(message, 'overflow');
  }

  /**
   * Hands queued reports to `launch` while `room()` allows. Memory batches go at once; one disk
   * batch per call, since the seed paces disk loading (`retryQueueLoadIntervalMs`,
   * `retryQueueBatchLoadSize`).
   */
  async pump(room: () => number, includeDisk: boolean, launch: (batch: RetryMessage[], home: Home) => void): Promise<void> {
    for (;;) {
      if (!this.hasBacklog) return;
      const free = room();
      if (free <= 0) return; // acks will call again
      const lane = this.memory.waiting() ? this.memory : this.disk?.waiting() ? this.disk : null;
      if (lane === null) {
        // Checked and cleared with no await in between: a report queued during a peek is not missed.
        this.hasBacklog = false;
        this.options.onEmptied();
        return;
      }
      if (lane === this.disk) {
        if (!includeDisk) return;
        includeDisk = false;
      }
      const batch = await lane.peek(Math.min(free, this.options.batchLoadSize));
      // Cursor and flight move together (no await between): `keep` and compaction never miss a report.
      lane.advance(batch);
      launch(batch, lane.home);
    }
  }

  /** Removes and returns the queued reports made before `cutoff` (the caller drops them). */
  async expire(cutoff: number): Promise<RetryMessage[]> {
    const inMemory = await this.memory.expire(cutoff);
    for (const message of inMemory) this.disk?.store.finish(message.order);
    return [...inMemory, ...((await this.disk?.expire(cutoff)) ?? [])];
  }

  /** A report left flight for good (acked or given up): its stored copy goes, its log gets a done mark. */
  forget(home: Home, order: number): void {
    if (home === 'disk' && this.disk) {
      this.disk.store.remove([order]);
      this.checkWarning();
      return;
    }
    if (home === 'memory') this.options.memory.remove([order]);
    this.disk?.store.finish(order);
  }

  /**
   * At close: the unacked reports held in memory (`inMemory`, plus those queued in memory) are in
   * the log already; those whose write failed are written now. Without a disk store they die with
   * the process. Returns how many unacked reports are not kept.
   */
  async keep(inMemory: readonly RetryMessage[]): Promise<number> {
    const pending = [...inMemory, ...this.options.memory.values()];
    const disk = this.disk?.store;
    if (!disk) return pending.length;
    const lost = disk.keep(pending);
    await disk.flush();
    return lost;
  }

  /** The reports queued in memory (their frames are not in the log's disk queue). */
  inMemory(): Iterable<RetryMessage> {
    return this.options.memory.values();
  }

  /** Reports stored: queued, and those in flight that stay stored until acked. */
  sizes(): { memory: number; disk: number } {
    return { memory: this.options.memory.size(), disk: this.disk?.store.size() ?? 0 };
  }

  /** Warns once each time the disk queue rises to the threshold (again after it fell below). */
  checkWarning(): void {
    const size = this.disk?.store.size() ?? 0;
    const threshold = this.options.warningThreshold;
    if (size >= threshold && !this.warned) {
      this.warned = true;
      this.options.onWarning(size, threshold);
    } else if (size < threshold) {
      this.warned = false;
    }
  }
}
