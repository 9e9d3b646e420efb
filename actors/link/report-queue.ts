import type { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import type { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import type { RetryMessage, RetryStore } from '../../adapters/link/retry-store.js';
import type { DropReason } from '../../errors/link.js';
import type { Home } from './in-flight.js';

export interface ReportQueueOptions {
  memory: MemoryRetryStore;
  warningThreshold: number;
  batchLoadSize: number;
  /** A disk store is coming (`useDisk`): hold reports made before it, rather than overflow. */
  awaitDisk?: boolean;
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
 * dropped as `overflow` when both are full. Until the disk store opens (when one is coming), new
 * reports are held aside and queued once it is there, behind the previous process's reports.
 *
 * `pump` and `expire` both move the cursors: the outbox runs them one at a time.
 */
export class ReportQueue {
  private readonly memory: Lane<MemoryRetryStore>;
  private disk: Lane<DiskRetryStore> | null = null;
  /** True while any queued report has not been put in flight: new reports must queue behind. */
  private hasBacklog = false;
  /** Reports made before the disk store opened (only when one is coming). */
  private early: RetryMessage[] | null;
  private warned = false;

  constructor(private readonly options: ReportQueueOptions) {
    this.memory = new Lane(options.memory, 'memory');
    this.early = options.awaitDisk ? [] : null;
  }

  /** Some queued report is not in flight yet (a fresh report must not overtake it). */
  get backlog(): boolean {
    return this.hasBacklog;
  }

  /** Adds the disk store; its messages (a previous process's) come first, then those held aside. */
  useDisk(disk: DiskRetryStore | null): void {
    this.disk = disk ? new Lane(disk, 'disk') : null;
    if (disk && disk.size() > 0) this.hasBacklog = true;
    const early = this.early ?? [];
    this.early = null;
    for (const message of early) this.enqueue(message);
  }

  enqueue(message: RetryMessage): void {
    this.hasBacklog = true;
    if (this.early) {
      this.early.push(message);
      return;
    }
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
      // Cursor and flight move together (no await between): `spill` never misses a report.
      lane.advance(batch);
      launch(batch, lane.home);
    }
  }

  /** Removes and returns the queued reports made before `cutoff` (the caller drops them). */
  async expire(cutoff: number): Promise<RetryMessage[]> {
    return [...(await this.memory.expire(cutoff)), ...((await this.disk?.expire(cutoff)) ?? [])];
  }

  /** A report left flight (acked or given up): its stored copy goes. */
  forget(home: Home, order: number): void {
    if (home === 'memory') this.options.memory.remove([order]);
    else if (home === 'disk' && this.disk) {
      this.disk.store.remove([order]);
      this.checkWarning();
    }
  }

  /**
   * At close: `inFlight` (the unacked reports not on disk) and every report still queued in memory
   * go to disk, in their original order. Without a disk store they stay in memory only and die with
   * the process; so do those whose file could not be written. Returns how many reports are not kept.
   */
  async spill(inFlight: RetryMessage[]): Promise<number> {
    const pending = [...inFlight, ...(await this.memory.peek(Number.MAX_SAFE_INTEGER))];
    const disk = this.disk?.store;
    if (!disk) return pending.length;
    let lost = 0;
    for (const message of pending) {
      try {
        disk.put(message);
      } catch {
        lost++;
        this.options.onDropped(message, 'overflow');
      }
    }
    this.options.memory.remove(pending.map((m) => m.order));
    await disk.flush();
    return lost + disk.unwrittenCount();
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
