import { constants, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalFile } from './journal-file.js';
import type { JournalOptions, JournalStats } from './journal-options.js';
import { encodeLine, encodeLineParts, replayLines } from './lines.js';
import { readPositions, type JournalPosition } from './positions.js';
import { writeSnapshotFile, type Move, type SnapshotPart } from './snapshot-file.js';
import { SyncGroup } from './sync-group.js';

export type { JournalOptions, JournalStats } from './journal-options.js';
export type { JournalPosition } from './positions.js';
export type { SnapshotItem, SnapshotPart } from './snapshot-file.js';

type Waiter = { resolve: () => void; reject: (error: unknown) => void };

/** A compaction always carries over what was written meanwhile up to this much (see rewrite). */
const CARRY_FREE_BYTES = 1 << 20;

/** `appendThisTick` writes at the latest once this many characters wait. */
const CHUNK_CHARS = 64 * 1024;

/**
 * An append-only journal of JSON records with group commit: the durability of the delivery file
 * store and of the link's retry queue. Lines are `<crc32> <json>\n` (see lines.ts): replay skips a
 * torn or corrupt line and keeps every other record.
 *
 * Two ways to append, one per user:
 * - `append` (the file store): resolves once the record is on disk. Every record queued while a
 *   durable write is in progress goes out in the next one, so concurrent callers share one sync
 *   (O_DSYNC append, or append + fdatasync).
 * - `appendThisTick` (the link): every record appended in one tick of the event loop goes out in
 *   one write(2) when the tick ends (process.nextTick), or at `flushNow()`; once written it is in
 *   the OS and survives a crash of the process. `sync()` makes everything appended so far durable,
 *   one fdatasync for all the callers waiting (group commit), and `syncWindowMs` syncs on its own
 *   at most that long after a write. It returns the record's position, for `read`.
 *
 * Compaction rewrites the live state (`snapshot`) to `journal.tmp`, syncs it, renames it over the
 * journal and syncs the directory: the classic atomic replace, so a crash leaves either file whole.
 * Records written by `appendThisTick` meanwhile go to the old file and are carried into the new
 * one before the rename, with no await in between; positions given in the snapshot or returned by
 * `appendThisTick` are moved to the new file, so a position stays readable across compactions.
 */
export class Journal<R> {
  /** Where appends go. Missing after a compaction that failed with the journal's path no longer ours. */
  private file: JournalFile | undefined;
  /** Where positions are read: the same file, or the old one while `file` is missing. */
  private reader: JournalFile | undefined;
  /** Between open() and close(). */
  private isOpen = false;
  private generation = 0;
  /** Bytes in the current file. */
  private size = 0;
  private queue: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private readonly syncing = new Set<Promise<void>>();
  private readonly syncConcurrency: number;
  private readonly dsync: boolean;
  private bytesSinceCompaction = 0;
  /** After a failed append the file may end mid-line: the next one starts on a fresh line. */
  private torn = false;
  /** `appendThisTick` records not written yet (this tick's): their positions, and their JSON joined by commas. */
  private pending: JournalPosition[] = [];
  private pendingJson = '';
  /** While a compaction runs: the lines `appendThisTick` wrote since it began, to carry over. */
  private carry: Array<{ line: Buffer; ats: JournalPosition[] }> | null = null;
  /** Bytes the last compaction wrote: the live state then. */
  private sizeAfterCompaction = 0;
  /** Records in the current file (for the average record size). */
  private records = 0;
  private readonly liveRecords: (() => number) | undefined;
  private compacting: Promise<void> | undefined;
  /** No background compaction before this time (one failed). */
  private compactAfter = 0;
  /** fdatasyncs of `appendThisTick` records, grouped. */
  private readonly syncs: SyncGroup;
  readonly stats: JournalStats = { appended: 0, syncs: 0, compactions: 0, compactionsAbandoned: 0, corruptRecords: 0, syncErrors: 0, writeErrors: 0 };
  private readonly path: string;
  private readonly compactAfterBytes: number;

  constructor(
    private readonly dir: string,
    /** The records that rebuild the live state (for compaction), each already serialised as JSON. */
    private readonly snapshot: () => Iterable<SnapshotPart> | AsyncIterable<SnapshotPart>,
    options: JournalOptions = {},
  ) {
    this.path = join(dir, 'journal.log');
    this.compactAfterBytes = options.compactAfterBytes ?? 8 * 1024 * 1024;
    this.syncConcurrency = Math.max(1, options.syncConcurrency ?? 2);
    this.dsync = (options.sync ?? 'dsync') === 'dsync' && typeof constants.O_DSYNC === 'number';
    this.syncs = new SyncGroup(() => this.syncNow(), options.syncWindowMs ?? 0);
    this.liveRecords = options.liveRecords;
  }

  /** Replays every intact record through `apply`, then compacts (dropping torn lines) and opens for `append`. */
  async open(apply: (record: R, at: JournalPosition) => void): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.replay(await readFile(this.path).catch(ifMissing), apply);
    await this.rewrite();
    this.isOpen = true;
  }

  /**
   * `open` without waiting, for `appendThisTick`: replays, cuts a torn tail off (so the next record
   * starts on its own line) and opens for appends, all before returning. No compaction: the
   * positions given to `apply` stay as they are.
   */
  openSync(apply: (record: R, at: JournalPosition) => void): void {
    mkdirSync(this.dir, { recursive: true });
    let text: Buffer;
    try {
      text = readFileSync(this.path);
    } catch (error) {
      text = ifMissing(error);
    }
    const end = this.replay(text, apply);
    const file = JournalFile.openSync(this.path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT);
    if (end < text.length) {
      try {
        file.truncateSync(end);
      } catch {
        this.torn = true; // could not cut it: the next record starts on a fresh line instead
      }
    }
    this.file = this.reader = file;
    this.size = this.torn ? text.length : end;
    this.bytesSinceCompaction = text.length;
    this.isOpen = true;
  }

  /** Appends a record; resolves once it is on disk. */
  append(record: R): Promise<void> {
    return this.appendJson(JSON.stringify(record));
  }

  /** `append` for a record already serialised (callers that keep the JSON they wrote). */
  appendJson(json: string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error('journal is not open'));
    this.queue.push(encodeLine(json));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  /**
   * Queues a record to be written with every other one of this tick, in one write, when the tick
   * ends (or at `flushNow()`). Returns its position, complete once written.
   */
  appendThisTick(json: string): JournalPosition {
    if (!this.isOpen) throw new Error('journal is not open');
    const at = { generation: this.generation, offset: -1, length: 0, index: -1 };
    if (this.pending.push(at) === 1) {
      this.pendingJson = json;
      process.nextTick(() => this.flushNow());
    } else {
      this.pendingJson += `,${json}`;
    }
    // A long burst goes out in chunks (earlier is always allowed): no tick-sized string to build.
    if (this.pendingJson.length >= CHUNK_CHARS) this.flushNow();
    return at;
  }

  /**
   * Writes this tick's records now, in one write(2) of one line (a JSON array of them when there
   * are several: one checksum for all, and a torn write costs only what it was writing). Once it
   * returns they survive a crash of the process (a crash of the machine may still lose them,
   * until the next sync). False when the write failed: those records are counted and their
   * positions never readable.
   */
  flushNow(): boolean {
    if (this.pending.length === 0) return true;
    const batch = this.pending;
    const single = batch.length === 1;
    const parts = encodeLineParts(single ? this.pendingJson : `[${this.pendingJson}]`);
    this.pending = [];
    this.pendingJson = '';
    const file = this.file;
    const prefix = this.torn ? 1 : 0;
    let written = -1;
    if (file) {
      try {
        written = file.writevSync(this.torn ? [NEWLINE, ...parts] : parts) - prefix;
      } catch {
        this.torn = true;
        this.size = safeSize(file, this.size);
      }
    } else {
      void this.compact(); // the only way back to a writable journal
    }
    if (written < 0) {
      this.stats.writeErrors += batch.length;
      for (const at of batch) at.generation = -1;
      return false;
    }
    const offset = this.size + prefix;
    for (let i = 0; i < batch.length; i++) {
      const at = batch[i]!;
      at.generation = this.generation;
      at.offset = offset;
      at.length = written;
      at.index = single ? -1 : i;
    }
    this.carry?.push({ line: Buffer.concat(parts), ats: batch });
    this.size = offset + written;
    this.torn = false;
    this.bytesSinceCompaction += written + prefix;
    this.stats.appended += batch.length;
    this.syncs.written();
    this.records += batch.length;
    if (this.bytesSinceCompaction >= this.compactAfterBytes && this.mostlyDead()) void this.compact();
    return true;
  }

  /**
   * Worth a compaction, which copies the live records: with `liveRecords`, when they are at most
   * an eighth of the file (at most one byte copied per seven written, however many are live);
   * without, when the file doubled since the last compaction.
   */
  private mostlyDead(): boolean {
    if (!this.liveRecords) return this.sizeAfterCompaction * 2 <= this.size;
    return this.liveRecords() * (this.size / Math.max(1, this.records)) * 8 <= this.size;
  }

  /**
   * Makes every record written so far durable. Callers while a sync runs share the one after it
   * (group commit: one fdatasync per batch, whatever the number of callers).
   */
  sync(): Promise<void> {
    this.flushNow();
    return this.syncs.request();
  }

  /** The JSON at `at`, or undefined when that line is unreadable (corrupt, or not a current position). */
  async read(at: JournalPosition): Promise<string | undefined> {
    return (await this.readMany([at]))[0];
  }

  /** `read` for several positions; neighbours in the file are read with one system call. */
  async readMany(positions: readonly JournalPosition[]): Promise<Array<string | undefined>> {
    this.flushNow();
    return readPositions(this.reader, this.generation, positions);
  }

  /** Whether the journal's path still names the file being written (nobody removed or replaced it). */
  inPlace(): boolean {
    return this.file?.isAt(this.path) ?? false;
  }

  /** Compacts now, in the background of the writers (at most one at a time). */
  compact(): Promise<void> {
    if (!this.isOpen || this.compacting || Date.now() < this.compactAfter) return this.compacting ?? Promise.resolve();
    const run = this.rewrite()
      .catch(() => {
        this.compactAfter = Date.now() + 1_000; // retried, not in a loop
      })
      .finally(() => {
        this.compacting = undefined;
      });
    this.compacting = run;
    return run;
  }

  async close(): Promise<void> {
    this.flushNow();
    while (this.flushing || this.syncing.size > 0 || this.compacting) {
      await this.flushing;
      await Promise.all(this.syncing);
      await this.compacting;
    }
    await this.syncs.finish();
    this.isOpen = false;
    const { file, reader } = this;
    this.file = this.reader = undefined;
    await file?.close();
    if (reader !== file) await reader?.close();
  }

  private replay(text: Buffer, apply: (record: R, at: JournalPosition) => void): number {
    const { end, corrupt } = replayLines<R>(text, (record, offset, length, index) => {
      this.records++;
      apply(record, { generation: this.generation, offset, length, index });
    });
    this.stats.corruptRecords += corrupt;
    return end;
  }

  private async syncNow(): Promise<void> {
    await this.compacting; // a compaction's new file holds the records: sync that one
    const file = this.file;
    if (!file) {
      this.stats.syncErrors++;
      throw new Error('journal is not writable: its last compaction failed');
    }
    try {
      await file.datasync();
      this.stats.syncs++;
    } catch (error) {
      this.stats.syncErrors++;
      throw error;
    }
  }

  /**
   * Writes are strictly one after another (replay order is write order). With O_DSYNC a batch is
   * durable when its write returns; with fdatasync, syncs may overlap: a batch is written while
   * earlier batches' syncs are still in flight, and resolves when a sync issued after its own
   * write completes. Either way every record queued meanwhile shares the next batch.
   */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (this.syncing.size >= this.syncConcurrency) {
          await Promise.race(this.syncing);
          continue;
        }
        const waiters = this.waiters;
        const records = this.queue;
        this.queue = [];
        this.waiters = [];
        if (!this.file) {
          // A compaction failed with the journal's path no longer ours: rebuild it whole first (the
          // snapshot holds this batch's changes too; writing them again after it is harmless).
          try {
            await this.rewrite();
          } catch (error) {
            for (const waiter of waiters) waiter.reject(error);
            continue;
          }
        }
        const batch = (this.torn ? '\n' : '') + records.join('');
        try {
          await this.file!.write(batch);
          this.torn = false;
        } catch (error) {
          this.torn = true;
          for (const waiter of waiters) waiter.reject(error);
          continue;
        }
        this.bytesSinceCompaction += batch.length;
        if (this.dsync) {
          // O_DSYNC: the write returned, so the batch is on disk.
          this.stats.syncs++;
          this.stats.appended += waiters.length;
          for (const waiter of waiters) waiter.resolve();
        } else {
          this.startSync(waiters);
        }
        if (this.bytesSinceCompaction >= this.compactAfterBytes) {
          // The snapshot holds every applied change, queued ones included: replaying those again
          // after it is harmless (puts and deletes are idempotent).
          await Promise.all(this.syncing);
          await this.rewrite().catch(() => undefined);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** fdatasync for the batch just written; its waiters resolve when it completes. */
  private startSync(waiters: Waiter[]): void {
    const sync: Promise<void> = this.file!.datasync()
      .then(
        () => {
          this.stats.syncs++;
          this.stats.appended += waiters.length;
          for (const waiter of waiters) waiter.resolve();
        },
        (error: unknown) => {
          for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => this.syncing.delete(sync));
    this.syncing.add(sync);
  }

  private async rewrite(): Promise<void> {
    const tmp = join(this.dir, 'journal.tmp');
    const moves: Move[] = [];
    let size = 0;
    let records = 0;
    let next: JournalFile;
    this.carry = [];
    try {
      ({ size, records } = await writeSnapshotFile(tmp, this.snapshot(), moves));
      next = await JournalFile.open(tmp, this.appendFlags());
    } catch (error) {
      this.carry = null;
      throw error;
    }
    // From here to the swap, no await: no record is written between the carry and the rename.
    this.flushNow();
    const carried = this.carry;
    this.carry = null;
    if (carriedBytes(carried) > Math.max(CARRY_FREE_BYTES, size)) {
      // A burst came meanwhile: carrying it would copy more than the compaction saves. The old
      // file stays (it holds everything); the next compaction comes once the burst is dead.
      await next.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      this.stats.compactionsAbandoned++;
      return;
    }
    try {
      for (const { line, ats } of carried) {
        for (const at of ats) moves.push({ at, offset: size, length: line.length, index: at.index });
        records += ats.length;
        size += line.length;
      }
      if (carried.length) next.writevSync(carried.map((c) => c.line));
      renameSync(tmp, this.path);
    } catch (error) {
      void next.close().catch(() => undefined);
      // Writing on is right while the old file is still the journal; not when its path names
      // something else now (removed, replaced): what went there would be lost at the next start.
      if (this.file && !this.file.isAt(this.path)) this.file = undefined;
      throw error;
    }
    const retired = [this.file, this.reader];
    this.generation++;
    for (const { at, offset, length, index } of moves) Object.assign(at, { generation: this.generation, offset, length, index });
    this.file = this.reader = next;
    this.size = this.sizeAfterCompaction = size;
    this.records = records;
    this.bytesSinceCompaction = 0;
    this.torn = false;
    this.stats.compactions++;
    for (const file of new Set(retired)) await file?.close().catch(() => undefined);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private appendFlags(): number {
    return constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (this.dsync ? constants.O_DSYNC : 0);
  }
}

const NEWLINE = Buffer.from('\n');

function carriedBytes(carried: ReadonlyArray<{ line: Buffer }>): number {
  let bytes = 0;
  for (const { line } of carried) bytes += line.length;
  return bytes;
}

function ifMissing(error: unknown): Buffer {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  return Buffer.alloc(0);
}

function safeSize(file: JournalFile, fallback: number): number {
  try {
    return file.size();
  } catch {
    return fallback;
  }
}
