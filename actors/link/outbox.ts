import type { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import type { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import type { RetryMessage } from '../../adapters/link/retry-store.js';
import type { WebSocketConnection } from '../../adapters/link/websocket.js';
import type { DropReason } from '../../errors/link.js';
import { InFlightWindow, type Home, type InFlight } from './in-flight.js';
import { ReportQueue } from './report-queue.js';
import { ReportWriter } from './report-writer.js';

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
 * before it, otherwise queued (`ReportQueue`: memory, then disk), and re-sent in order after a
 * reconnect. This class owns the reports in flight (sent, not yet acked): their re-sends, their
 * retry and TTL limits, and the window that bounds them; `ReportWriter` does the socket writes.
 *
 * The hot path (`submit` while open with an empty backlog) is one window insert and one socket
 * write, no chart event and no store. Queued reports stay in their store until acked, so a disk
 * report survives a crash even while in flight; reports in memory are written to disk by `spill`
 * when the link closes.
 */
export class Outbox {
  readonly counts = { sent: 0, acked: 0, resent: 0, queued: 0, dropped: 0, writeFailures: 0 };
  private readonly inFlight: InFlightWindow;
  private readonly queue: ReportQueue;
  private readonly writer: ReportWriter;
  /** Serialises pump and expire (both move the queue's cursors). */
  private lock: Promise<void> = Promise.resolve();
  private nextOrder = Date.now() * 1000;
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly options: OutboxOptions) {
    this.inFlight = new InFlightWindow(options.idPrefix, this.nextOrder);
    this.writer = new ReportWriter(this.counts, options.onWriteFailed);
    this.queue = new ReportQueue({
      memory: options.memory,
      warningThreshold: options.warningThreshold,
      batchLoadSize: options.batchLoadSize,
      awaitDisk: options.awaitDisk,
      counts: this.counts,
      onDropped: (message, reason) => this.drop(message, reason),
      onEmptied: () => this.wakeIfSettled(),
      onWarning: options.onWarning,
    });
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
    if (disk) this.nextOrder = Math.max(this.nextOrder, disk.maxOrder() + 1);
    this.queue.useDisk(disk);
  }

  /** Sends or queues report `order` (from `reserve`), its frame encoded with id `idFor(order)`. */
  submit(order: number, frame: string): void {
    const id = this.inFlight.idFor(order);
    const socket = this.writer.current;
    if (socket !== null && !this.queue.backlog && this.inFlight.size < this.options.maxInFlight) {
      this.inFlight.add({ id, order, frame, attempt: 0, createdAt: this.options.now(), home: 'none' });
      this.writer.write(socket, frame);
      return;
    }
    this.queue.enqueue({ id, order, frame, attempt: 0, createdAt: this.options.now() });
  }

  /** The link is open: re-send what was in flight, then the backlog. */
  attach(socket: WebSocketConnection): void {
    this.writer.attach(socket);
    for (const entry of this.inFlight.values()) {
      if (this.giveUp(entry, true)) continue;
      this.counts.resent++;
      this.writer.write(socket, entry.frame);
    }
    void this.pump(true);
  }

  detach(): void {
    this.writer.detach();
  }

  ack(id: string): void {
    const entry = this.inFlight.get(id);
    if (!entry) return; // an ack of a control frame, or a second ack: nothing waits for it
    this.inFlight.delete(entry);
    this.counts.acked++;
    this.queue.forget(entry.home, entry.order);
    if (!this.queue.backlog) {
      this.wakeIfSettled();
    } else if (this.inFlight.size === this.options.maxInFlight >> 1 || this.inFlight.size === 0) {
      // Half the window is free again, or the last disk batch is all acked: refill from the queue.
      // (The load interval alone would cap a disk backlog, and the live reports queued behind it,
      // at one batch per interval.)
      void this.pump(true);
    }
  }

  /** Moves queued reports into flight, as far as the window allows (one disk batch per call). */
  pump(includeDisk: boolean): Promise<void> {
    if (!this.queue.backlog) return Promise.resolve();
    return this.exclusive(() => this.queue.pump(this.room, includeDisk, this.launch));
  }

  /**
   * Drops reports older than the TTL: queued ones, and those in flight (sent on a connection that
   * stays up but never acked: without this they would wait for a reconnect, past any TTL).
   */
  expire(): Promise<void> {
    return this.exclusive(async () => {
      const cutoff = this.options.now() - this.options.ttlMs;
      for (const message of await this.queue.expire(cutoff)) this.drop(message, 'ttl');
      for (const entry of this.inFlight.values()) if (entry.createdAt < cutoff) this.giveUp(entry, false);
      this.queue.checkWarning();
    });
  }

  /** Resolves once nothing is in flight or queued (every report acked or dropped). */
  whenSettled(): Promise<void> {
    if (this.inFlight.size === 0 && !this.queue.backlog) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /**
   * At close: every unacked report not yet on disk goes there, in its original order (see
   * `ReportQueue.spill`). Returns how many reports are not kept.
   */
  spill(): Promise<number> {
    return this.queue.spill(this.inFlight.values().filter((e) => e.home !== 'disk').map(plain));
  }

  /** Reports not yet acked: in flight plus queued. */
  gauges(): { inFlight: number; memory: number; disk: number } {
    return { inFlight: this.inFlight.size, ...this.queue.sizes() };
  }

  /** Free slots in the window; none while no socket is attached. */
  private readonly room = (): number => (this.writer.current === null ? 0 : this.options.maxInFlight - this.inFlight.size);

  /** Puts a batch from the queue in flight, writing each report unless it is past its limits. */
  private readonly launch = (messages: RetryMessage[], home: Home): void => {
    for (const message of messages) {
      const entry: InFlight = { ...plain(message), home };
      this.inFlight.add(entry);
      if (this.giveUp(entry, false)) continue;
      const socket = this.writer.current;
      if (socket) this.writer.write(socket, message.frame);
    }
  };

  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.lock.then(work);
    this.lock = run.catch(() => {});
    return run;
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
    this.queue.forget(entry.home, entry.order);
    this.drop(plain(entry), reason);
    return true;
  }

  private drop(message: RetryMessage, reason: DropReason): void {
    this.counts.dropped++;
    this.options.onDropped(message, reason);
    this.wakeIfSettled();
  }

  private wakeIfSettled(): void {
    if (this.inFlight.size !== 0 || this.queue.backlog) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}
