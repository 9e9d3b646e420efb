import type { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import type { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import type { RetryMessage } from '../../adapters/link/retry-store.js';
import type { WebSocketConnection } from '../../adapters/link/websocket.js';
import type { DropReason } from '../../errors/link.js';
import { InFlightWindow, type Home, type InFlight } from './in-flight.js';

const plain = ({ id, order, frame, attempt, createdAt }: RetryMessage): RetryMessage => ({ id, order, frame, attempt, createdAt });

export interface OutboxOptions {
  memory: MemoryRetryStore;
  /** Start of every report id this outbox makes (unique per process). */
  idPrefix: string;
  maxRetries: number;
  ttlMs: number;
  warningThreshold: number;
  batchLoadSize: number;
  /**
   * Reports sent and not yet acked, at most; beyond, reports queue (memory, then disk) until acks
   * make room. Bounds memory when a server is up but slow to ack.
   */
  maxInFlight: number;
  /** Epoch ms, for TTLs. */
  now: () => number;
  onDropped: (message: RetryMessage, reason: DropReason) => void;
  onWarning: (size: number, threshold: number) => void;
  /** A write to a socket the chart believes open failed: the chart must hear of it. */
  onWriteFailed: () => void;
  /** A disk store is coming (`useDisk`): hold reports made before it, rather than overflow. */
  awaitDisk?: boolean;
}

/**
 * Every report from its making to its ack: sent at once while the link is open and nothing waits
 * before it, otherwise queued (memory, then disk), and re-sent in order after a reconnect.
 *
 * The hot path (`submit` while open with an empty backlog) is one Map insert and one socket
 * write, no chart event and no store. Queued reports stay in their store until acked, so a disk
 * report survives a crash even while in flight; reports in memory are written to disk by `spill`
 * when the link closes.
 */
export class Outbox {
  private readonly inFlight: InFlightWindow;
  private writer: WebSocketConnection | null = null;
  private disk: DiskRetryStore | null = null;
  /** Highest order of each store already moved into flight. */
  private memoryCursor = -1;
  private diskCursor = -1;
  /** True while any queued report has not been put in flight: new reports must queue behind. */
  private backlog = false;
  /** Serialises pump and expire. */
  private lock: Promise<void> = Promise.resolve();
  private warned = false;
  private nextOrder = Date.now() * 1000;
  private settledWaiters: Array<() => void> = [];
  /** Reports made before the disk store opened (only when one is coming). */
  private early: RetryMessage[] | null;
  readonly counts = { sent: 0, acked: 0, resent: 0, queued: 0, dropped: 0, writeFailures: 0 };

  constructor(private readonly options: OutboxOptions) {
    this.early = options.awaitDisk ? [] : null;
    this.inFlight = new InFlightWindow(options.idPrefix, this.nextOrder);
  }

  /**
   * Numbers the next report; `idFor(order)` is its frame id. Orders start from the wall clock
   * (µs), so a new process's reports sort after those a previous one left on disk.
   */
  reserve(): number {
    return this.nextOrder++;
  }

  idFor(order: number): string {
    return this.inFlight.idFor(order);
  }

  /** Adds the disk store; its messages (a previous process's) come first. */
  useDisk(disk: DiskRetryStore | null): void {
    this.disk = disk;
    if (disk) {
      this.nextOrder = Math.max(this.nextOrder, disk.maxOrder() + 1);
      if (disk.size() > 0) this.backlog = true;
    }
    const early = this.early ?? [];
    this.early = null;
    for (const message of early) this.enqueue(message);
  }

  /** Sends or queues report `order` (from `reserve`), its frame encoded with id `idFor(order)`. */
  submit(order: number, frame: string): void {
    const id = this.inFlight.idFor(order);
    const writer = this.writer;
    if (writer !== null && !this.backlog && this.inFlight.size < this.options.maxInFlight) {
      this.inFlight.add({ id, order, frame, attempt: 0, createdAt: this.options.now(), home: 'none' });
      this.write(writer, frame);
      return;
    }
    this.enqueue({ id, order, frame, attempt: 0, createdAt: this.options.now() });
  }

  /** The link is open: re-send what was in flight, then the backlog. */
  attach(writer: WebSocketConnection): void {
    this.writer = writer;
    for (const entry of this.inFlight.values()) {
      if (this.giveUp(entry, true)) continue;
      this.counts.resent++;
      this.write(writer, entry.frame);
    }
    void this.pump(true);
  }

  detach(): void {
    this.writer = null;
  }

  ack(id: string): void {
    const entry = this.inFlight.get(id);
    if (!entry) return; // an ack of a control frame, or a second ack: nothing waits for it
    this.inFlight.delete(entry);
    this.counts.acked++;
    this.forget(entry);
    if (!this.backlog) {
      if (this.inFlight.size === 0) this.wakeSettled();
    } else if (this.inFlight.size === this.options.maxInFlight >> 1 || this.inFlight.size === 0) {
      // Half the window is free again, or the last disk batch is all acked: refill from the queue.
      // (The load interval alone would cap a disk backlog, and the live reports queued behind it,
      // at one batch per interval.)
      void this.pump(true);
    }
  }

  /**
   * Moves queued reports into flight. Memory batches go at once; one disk batch per call, since
   * the seed paces disk loading (`retryQueueLoadIntervalMs`, `retryQueueBatchLoadSize`).
   * Runs exclusively with `expire` (both move the store cursors).
   */
  pump(includeDisk: boolean): Promise<void> {
    if (!this.backlog) return Promise.resolve();
    return this.exclusive(() => this.pumpOnce(includeDisk));
  }

  /**
   * Drops reports older than the TTL: queued ones, and those in flight (sent on a connection that
   * stays up but never acked: without this they would wait for a reconnect, past any TTL).
   */
  expire(): Promise<void> {
    return this.exclusive(async () => {
      const cutoff = this.options.now() - this.options.ttlMs;
      const expired = [
        ...(await this.options.memory.expire(cutoff, this.memoryCursor)),
        ...((await this.disk?.expire(cutoff, this.diskCursor)) ?? []),
      ];
      for (const message of expired) this.drop(message, 'ttl');
      for (const entry of this.inFlight.values()) if (entry.createdAt < cutoff) this.giveUp(entry, false);
      this.checkWarning();
    });
  }

  private async pumpOnce(includeDisk: boolean): Promise<void> {
    const memory = this.options.memory;
    for (;;) {
      if (this.writer === null || !this.backlog) return;
      const room = this.options.maxInFlight - this.inFlight.size;
      if (room <= 0) return; // acks will call again
      if (memory.sizeAfter(this.memoryCursor) > 0) {
        const batch = await memory.peek(Math.min(room, this.options.batchLoadSize), this.memoryCursor);
        if (batch.length) {
          this.memoryCursor = batch.at(-1)!.order;
          this.launch(batch, 'memory');
        }
        continue;
      }
      if (this.disk && this.disk.sizeAfter(this.diskCursor) > 0) {
        if (!includeDisk) return;
        const batch = await this.disk.peek(Math.min(room, this.options.batchLoadSize), this.diskCursor);
        if (batch.length) this.diskCursor = batch.at(-1)!.order;
        this.launch(batch, 'disk');
        includeDisk = false;
        continue;
      }
      // Checked and cleared with no await in between: a report queued during a peek is not missed.
      this.backlog = false;
      if (this.inFlight.size === 0) this.wakeSettled();
      return;
    }
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.lock.then(work);
    this.lock = run.catch(() => {});
    return run;
  }

  /** Resolves once nothing is in flight or queued (every report acked or dropped). */
  whenSettled(): Promise<void> {
    if (this.inFlight.size === 0 && !this.backlog) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /**
   * At close: every unacked report not yet on disk goes there, in its original order. Without a
   * disk store they stay in memory only and die with the process; so do those whose file could
   * not be written (the returned count says how many reports are not kept).
   */
  async spill(): Promise<number> {
    const pending = this.inFlight.values().filter((e) => e.home !== 'disk').map(plain);
    pending.push(...(await this.options.memory.peek(Number.MAX_SAFE_INTEGER, this.memoryCursor)));
    if (!this.disk) return pending.length;
    let lost = 0;
    for (const message of pending) {
      try {
        this.disk.put(message);
      } catch {
        lost++;
        this.drop(message, 'overflow');
      }
    }
    this.options.memory.remove(pending.map((m) => m.order));
    await this.disk.flush();
    return lost + this.disk.unwrittenCount();
  }

  /** Reports not yet acked: in flight plus queued. */
  gauges(): { inFlight: number; memory: number; disk: number } {
    return { inFlight: this.inFlight.size, memory: this.options.memory.size(), disk: this.disk?.size() ?? 0 };
  }

  private write(writer: WebSocketConnection, frame: string): void {
    if (writer.send(frame)) {
      this.counts.sent++;
      return;
    }
    // The socket died before the chart heard: the report stays in flight for the re-send.
    this.counts.writeFailures++;
    if (this.writer === writer) {
      this.writer = null;
      this.options.onWriteFailed();
    }
  }

  private launch(messages: RetryMessage[], home: Home): void {
    for (const message of messages) {
      const entry: InFlight = { ...plain(message), home };
      this.inFlight.add(entry);
      if (this.giveUp(entry, false)) continue;
      if (this.writer) this.write(this.writer, message.frame);
    }
  }

  /** Counts a re-send and drops the report past its retries or TTL. */
  private giveUp(entry: InFlight, isResend: boolean): boolean {
    if (isResend) entry.attempt++;
    const reason: DropReason | null =
      entry.attempt > this.options.maxRetries ? 'max-retries'
      : this.options.now() - entry.createdAt > this.options.ttlMs ? 'ttl'
      : null;
    if (!reason) return false;
    this.inFlight.delete(entry);
    this.forget(entry);
    this.drop(plain(entry), reason);
    return true;
  }

  private enqueue(message: RetryMessage): void {
    this.backlog = true;
    if (this.early) {
      this.early.push(message);
      return;
    }
    this.counts.queued++;
    const diskWaiting = this.disk ? this.disk.sizeAfter(this.diskCursor) : 0;
    if (diskWaiting === 0 && this.options.memory.size() < this.options.memory.capacity) {
      this.options.memory.put(message);
      return;
    }
    if (this.disk && this.disk.size() < this.disk.capacity) {
      this.disk.put(message);
      this.checkWarning();
      return;
    }
    this.drop(message, 'overflow');
  }

  private forget(entry: InFlight): void {
    if (entry.home === 'memory') this.options.memory.remove([entry.order]);
    else if (entry.home === 'disk' && this.disk) {
      this.disk.remove([entry.order]);
      this.checkWarning();
    }
  }

  private drop(message: RetryMessage, reason: DropReason): void {
    this.counts.dropped++;
    this.options.onDropped(message, reason);
    if (this.inFlight.size === 0 && !this.backlog) this.wakeSettled();
  }

  private checkWarning(): void {
    const size = this.disk?.size() ?? 0;
    if (size >= this.options.warningThreshold && !this.warned) {
      this.warned = true;
      this.options.onWarning(size, this.options.warningThreshold);
    } else if (size < this.options.warningThreshold) {
      this.warned = false;
    }
  }

  private wakeSettled(): void {
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}
