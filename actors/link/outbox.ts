import type { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import type { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import type { RetryMessage } from '../../adapters/link/retry-store.js';
import type { WebSocketConnection } from '../../adapters/link/websocket.js';
import type { DropReason } from '../../errors/link.js';
import { InFlightWindow, type Home, type InFlight } from './in-flight.js';
import { ReportQueue } from './report-queue.js';
import { ReportWriter } from './report-writer.js';
import { DurabilityGate } from './durability-gate.js';

const plain = ({ id, order, frame, attempt, createdAt, at }: RetryMessage): RetryMessage => ({ id, order, frame, attempt, createdAt, at });

export interface OutboxOptions {
  memory: MemoryRetryStore;
  /** The write-ahead log (durability `batch` or `always`); null: memory only (`none`). */
  disk?: DiskRetryStore | null;
  /** `always`: a report is sent only once its log record is synced. Default false (`batch`). */
  syncBeforeSend?: boolean;
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
}

/**
 * Every report from its making to its ack: written to the log first (when there is one), then
 * sent at once while the link is open and nothing waits before it, otherwise queued
 * (`ReportQueue`: memory, then disk), and re-sent in order after a reconnect. This class owns the
 * reports in flight (sent, not yet acked): their re-sends, their retry and TTL limits, and the
 * window that bounds them; `ReportWriter` does the socket writes.
 *
 * The hot path (`submit` while open with an empty backlog) is one window insert and one socket
 * write, no chart event; with a log, also one log record, written with the rest of its tick
 * before the socket write. An ack or a drop puts a done mark in the log, so a restart re-sends
 * exactly the reports neither acked nor dropped.
 */
export class Outbox {
  readonly counts = { sent: 0, acked: 0, resent: 0, queued: 0, dropped: 0, writeFailures: 0 };
  private readonly inFlight: InFlightWindow;
  private readonly queue: ReportQueue;
  private readonly writer: ReportWriter;
  /** With a log: reports waiting for their write (or sync), in order, before anything else. */
  private readonly gate: DurabilityGate<InFlight> | null;
  /** Serialises pump and expire (both move the queue's cursors). */
  private lock: Promise<void> = Promise.resolve();
  private nextOrder = Date.now() * 1000;
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly options: OutboxOptions) {
    this.inFlight = new InFlightWindow(options.idPrefix, this.nextOrder);
    this.writer = new ReportWriter(this.counts, options.onWriteFailed);
    const disk = options.disk ?? null;
    if (disk) this.nextOrder = Math.max(this.nextOrder, disk.maxOrder() + 1);
    disk?.useLive(
      () => this.inMemory(),
      () => this.inFlight.size + this.queue.sizes().memory + (this.gate?.size ?? 0),
    );
    this.gate = disk ? new DurabilityGate(disk, options.syncBeforeSend ?? false, (entry) => this.route(entry)) : null;
    this.queue = new ReportQueue({
      memory: options.memory,
      disk,
      warningThreshold: options.warningThreshold,
      batchLoadSize: options.batchLoadSize,
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

  /**
   * Sends or queues report `order` (from `reserve`), its frame encoded with `id` = `idFor(order)`.
   * With a log, it is written there first: at the end of this tick, with every report of the
   * tick, and only then sent or queued (see `DurabilityGate`).
   */
  submit(order: number, frame: string, id = this.inFlight.idFor(order)): void {
    const entry: InFlight = { id, order, frame, attempt: 0, createdAt: this.options.now(), at: undefined, home: 'none' };
    if (!this.gate) return this.route(entry);
    this.options.disk!.log(entry);
    this.gate.hold(entry);
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
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /**
   * At close: makes sure every unacked report is in the log (see `ReportQueue.keep`). Returns how
   * many are not kept: all of them without a log.
   */
  keepForRestart(): Promise<number> {
    return this.queue.keep([...this.inMemoryAlone()]);
  }

  /** Reports not yet acked: in flight plus queued. */
  gauges(): { inFlight: number; memory: number; disk: number } {
    return { inFlight: this.inFlight.size, ...this.queue.sizes() };
  }

  /** Sends report `entry` at once when the link is open and nothing waits before it; else queues it. */
  private route(entry: InFlight): void {
    const socket = this.writer.current;
    if (socket !== null && !this.queue.backlog && this.inFlight.size < this.options.maxInFlight) {
      this.inFlight.add(entry, true); // made by `submit`: its id is `idFor(order)`
      this.writer.write(socket, entry.frame);
      return;
    }
    this.queue.enqueue(entry);
  }

  /** Unacked reports whose frame only memory holds (for compaction: the log keeps them too). */
  private *inMemory(): Iterable<RetryMessage> {
    yield* this.inMemoryAlone();
    yield* this.queue.inMemory();
  }

  /** In flight (except those the disk queue holds) and held for their sync. */
  private *inMemoryAlone(): Iterable<RetryMessage> {
    for (const entry of this.inFlight.values()) if (entry.home !== 'disk') yield entry;
    if (this.gate) yield* this.gate.values();
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

  private isSettled(): boolean {
    return this.inFlight.size === 0 && !this.queue.backlog && (this.gate?.size ?? 0) === 0;
  }

  private wakeIfSettled(): void {
    if (!this.isSettled()) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}
