import { Journal, type JournalPosition, type JournalStats, type SnapshotItem, type SnapshotPart } from '../journal/journal.js';
import { RetryStoreFullError } from '../../errors/link.js';
import { readLegacyRetryFiles } from './legacy-retry-files.js';
import { doneJson, forEachDone, idOf, isDone, isReport, messageOf, reportJson, type ReportRecord } from './report-records.js';
import type { RetryMessage, RetryStore } from './retry-store.js';

/** A report queued on disk only: its frame is read back from the log when its turn comes. */
interface Entry {
  id: string;
  order: number;
  createdAt: number;
  attempt: number;
  /** Its record in the log (generation -1: it could not be written). */
  at: JournalPosition;
  /** Kept in memory only when it could not be written (it is still sent; a crash loses it). */
  frame: string | null;
}

export interface DiskRetryStoreOptions {
  /** Messages queued on disk only (`put`), at most. Default 10 000 (seed: RetryQueueDiskSize). */
  capacity?: number;
  /** Longest a written record waits for its fdatasync (group-commit window). Default 0: `sync()` only. */
  syncWindowMs?: number;
  /** Compact once the log grew this many bytes. Default 4 MiB. */
  compactAfterBytes?: number;
}

/**
 * The disk retry store: a write-ahead log (adapters/journal, `journal.log` in `dir`) of every
 * report handed to the link, plus the index of the reports queued on disk only.
 *
 * `log` appends a report; the records of one tick go out in one write when it ends (or at
 * `writeNow`), and the link sends or queues a report only after that write, so a crash of the
 * process loses none it was told of before the tick ended. `remove` and `finish` (acked, or given
 * up) add a done mark, one record per tick for all reports finished in it. A restart replays the
 * log: every report without a mark is queued here again, in order, with its id. `put` queues a
 * report on disk only (its frame leaves memory and is read back by `peek`). The log compacts
 * itself in the background from the live reports: those queued here, and those the link holds in
 * memory (`useLive`).
 */
export class DiskRetryStore implements RetryStore {
  readonly kind = 'disk' as const;
  /** Ordered by `order`; entries before `head` are removed. */
  private entries: Entry[] = [];
  private head = 0;
  private done: number[] = [];
  private live: () => Iterable<RetryMessage> = () => [];
  private liveCount: () => number = () => 0;
  private readonly journal: Journal<ReportRecord>;
  private ioFailures = 0;

  private constructor(readonly dir: string, readonly capacity: number, options: DiskRetryStoreOptions) {
    this.journal = new Journal<ReportRecord>(dir, () => this.snapshot(), {
      sync: 'fdatasync',
      syncWindowMs: options.syncWindowMs ?? 0,
      compactAfterBytes: options.compactAfterBytes ?? 4 * 1024 * 1024,
      liveRecords: () => this.size() + this.liveCount(),
    });
  }

  /** Opens (creating) `dir` and queues the unfinished reports of its log. */
  static async open(dir: string, capacity = 10_000): Promise<DiskRetryStore> {
    return DiskRetryStore.openSync(dir, { capacity });
  }

  /**
   * `open`, done before it returns (a few milliseconds per thousand queued reports): a link can
   * log its first report the moment it exists.
   */
  static openSync(dir: string, options: DiskRetryStoreOptions = {}): DiskRetryStore {
    const store = new DiskRetryStore(dir, options.capacity ?? 10_000, options);
    const unfinished = new Map<number, Entry>();
    store.journal.openSync((record, at) => {
      if (isReport(record)) unfinished.set(record.o, { id: idOf(record), order: record.o, createdAt: record.t, attempt: record.n, at, frame: null });
      else if (isDone(record)) forEachDone(record, (order) => unfinished.delete(order));
    });
    const legacy = readLegacyRetryFiles(dir);
    const imported = legacy.messages.filter((message) => !unfinished.has(message.order));
    for (const message of imported) store.log(message);
    store.writeNow();
    for (const m of imported) unfinished.set(m.order, { id: m.id, order: m.order, createdAt: m.createdAt, attempt: m.attempt, at: m.at!, frame: isWritten(m.at) ? null : m.frame });
    store.entries = [...unfinished.values()].sort((a, b) => a.order - b.order);
    if (legacy.files) void store.journal.sync().then(legacy.forget, () => undefined);
    return store;
  }

  /**
   * Reports the link holds in memory (in flight, queued in memory) and how many: compaction keeps
   * them too, and waits for most of the log to be finished reports.
   */
  useLive(live: () => Iterable<RetryMessage>, count: () => number): void {
    this.live = live;
    this.liveCount = count;
  }

  /**
   * Appends `message` to the log: written with every record of this tick when it ends (or at
   * `writeNow`); from then on a crash of the process does not lose it. Sets `message.at`.
   */
  log(message: RetryMessage): void {
    message.at = this.journal.appendThisTick(reportJson(message));
  }

  /**
   * Writes this tick's records now, in one write, done marks included. False when that failed
   * (counted; the reports stay in memory, still sent, and are written again at close).
   */
  writeNow(): boolean {
    this.writeDone();
    return this.journal.flushNow();
  }

  /** Makes every record appended so far durable (one fdatasync shared by every caller meanwhile). */
  sync(): Promise<void> {
    this.writeDone();
    return this.journal.sync();
  }

  /**
   * At close: logs the reports of `messages` not in the log (their write failed). Returns how
   * many are still not kept; all of them when the log's file was removed under us.
   */
  keep(messages: readonly RetryMessage[]): number {
    this.writeNow();
    const retry = messages.filter((m) => !isWritten(m.at));
    for (const message of retry) this.log(message);
    this.writeNow();
    const lost = retry.filter((m) => !isWritten(m.at)).length;
    return this.journal.inPlace() ? lost : messages.length + this.size();
  }

  /** Failed writes, reads and syncs of the log (each counted, none thrown at callers). */
  get ioErrors(): number {
    return this.ioFailures + this.journal.stats.syncErrors + this.journal.stats.writeErrors;
  }

  /** Torn or corrupt lines skipped when the log was replayed. */
  get corruptRecords(): number {
    return this.journal.stats.corruptRecords;
  }

  /** The log's appends, syncs (group commits) and compactions. */
  logStats(): JournalStats {
    return { ...this.journal.stats };
  }

  size(): number {
    return this.entries.length - this.head;
  }

  sizeAfter(after: number): number {
    return this.entries.length - this.firstAfter(after);
  }

  maxOrder(): number {
    return this.size() ? this.entries.at(-1)!.order : -1;
  }

  put(message: RetryMessage): void {
    if (this.size() >= this.capacity) throw new RetryStoreFullError(this.kind, this.capacity);
    if (!message.at) {
      this.log(message);
      this.writeNow();
    }
    const at = message.at!;
    // A report whose record could not be written keeps its frame here: still sent, lost only with the process.
    const entry: Entry = { id: message.id, order: message.order, createdAt: message.createdAt, attempt: message.attempt, at, frame: isWritten(at) ? null : message.frame };
    if (this.size() === 0 || message.order > this.entries.at(-1)!.order) {
      this.entries.push(entry);
      return;
    }
    const index = this.firstAfter(message.order - 1);
    if (this.entries[index]?.order === message.order) return; // already stored
    this.entries.splice(index, 0, entry);
  }

  /** The reports are finished (acked or given up): unqueued, and marked done in the log. */
  remove(orders: readonly number[]): void {
    for (const order of orders) {
      this.finish(order);
      const index = this.firstAfter(order - 1);
      if (this.entries[index]?.order !== order) continue;
      if (index === this.head) {
        this.head++;
        if (this.head > 1024 && this.head * 2 > this.entries.length) {
          this.entries = this.entries.slice(this.head);
          this.head = 0;
        }
      } else {
        this.entries.splice(index, 1);
      }
    }
  }

  /**
   * A report that is not queued here is finished: its done mark goes in the log with the others
   * of this tick (a crash within the tick re-sends it once; the server deduplicates by id).
   */
  finish(order: number): void {
    if (this.done.push(order) === 1) process.nextTick(() => this.writeDone());
  }

  async peek(limit: number, after = -1): Promise<RetryMessage[]> {
    const start = this.firstAfter(after);
    return this.withFrames(this.entries.slice(start, start + limit));
  }

  async expire(cutoff: number, after = -1): Promise<RetryMessage[]> {
    const expired = this.entries.slice(this.firstAfter(after)).filter((e) => e.createdAt < cutoff);
    this.remove(expired.map((e) => e.order));
    const frames = await this.journal.readMany(expired.map((e) => e.at));
    return expired.map((e, i) => ({ id: e.id, order: e.order, frame: e.frame ?? messageOf(frames[i] ?? '')?.frame ?? '', attempt: e.attempt, createdAt: e.createdAt }));
  }

  async flush(): Promise<void> {
    this.writeDone();
    await this.journal.sync().catch(() => undefined); // counted
  }

  async close(): Promise<void> {
    this.writeDone();
    await this.journal.close();
  }

  /** Reads the frames of `entries` from the log; an unreadable one is counted and dropped. */
  private async withFrames(entries: Entry[]): Promise<RetryMessage[]> {
    const jsons = await this.journal.readMany(entries.map((e) => e.at));
    const out: RetryMessage[] = [];
    entries.forEach((e, i) => {
      const frame = e.frame ?? messageOf(jsons[i] ?? '')?.frame;
      if (frame === undefined) {
        // A record damaged outside our control: count it and drop it, never crash.
        this.ioFailures++;
        this.remove([e.order]);
        return;
      }
      out.push({ id: e.id, order: e.order, frame, attempt: e.attempt, createdAt: e.createdAt });
    });
    return out;
  }

  /** This tick's done marks, as one record (if it cannot be written, they are re-sent once after a restart). */
  private writeDone(): void {
    if (this.done.length === 0) return;
    const orders = this.done;
    this.done = [];
    this.journal.appendThisTick(doneJson(orders));
  }

  /**
   * The live reports, for compaction: those held in memory, then those queued here (read from
   * the current file). Positions go along, so the journal moves them to the new file.
   */
  private async *snapshot(): AsyncIterable<SnapshotPart> {
    const inMemory: SnapshotItem[] = [];
    for (const message of this.live()) inMemory.push(isWritten(message.at) ? { json: reportJson(message), at: message.at! } : reportJson(message));
    yield inMemory;
    const queued = this.entries.slice(this.head);
    for (let i = 0; i < queued.length; i += 256) {
      const batch = queued.slice(i, i + 256);
      const jsons = await this.journal.readMany(batch.map((e) => e.at));
      const items: SnapshotItem[] = [];
      for (let k = 0; k < batch.length; k++) {
        const entry = batch[k]!;
        if (entry.frame !== null) items.push(reportJson({ id: entry.id, order: entry.order, frame: entry.frame, attempt: entry.attempt, createdAt: entry.createdAt }));
        else if (jsons[k] !== undefined) items.push({ json: jsons[k]!, at: entry.at });
      }
      yield items;
    }
  }

  /** Index of the first live entry with order > after (binary search). */
  private firstAfter(after: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.order > after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** The record at `at` was written (a position is complete once its tick's write succeeded). */
function isWritten(at: JournalPosition | undefined): boolean {
  return at !== undefined && at.generation >= 0 && at.offset >= 0;
}
