import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * An append-only journal of JSON records with group commit: the file store's durability.
 *
 * Each record is one line, `<crc32 hex> <json>\n`. A torn write (a crash mid-append) leaves at
 * most one bad line; replay skips any line whose checksum does not match, so one torn or corrupt
 * record never costs the others. Appends are batched: every record queued while a durable write
 * is in progress goes out in the next one, so concurrent tasks share one sync (group commit) and
 * each caller resolves only once its record is on disk (O_DSYNC append, or append + fdatasync).
 *
 * Compaction rewrites the live state to `journal.tmp`, syncs it, renames it over the journal and
 * syncs the directory: the classic atomic replace, so a crash leaves either file whole.
 */
export interface JournalStats {
  /** Records appended since open. */
  appended: number;
  /** fdatasync calls since open (appended / syncs = records per group commit). */
  syncs: number;
  compactions: number;
  /** Lines skipped at replay: torn or corrupt. */
  corruptRecords: number;
}

export interface JournalOptions {
  /** Compact once the journal grew this many bytes past its last compaction. Default 8 MiB. */
  compactAfterBytes?: number;
  /**
   * How a batch is made durable. `dsync` (default where the OS has O_DSYNC): the journal is opened
   * with O_DSYNC, so the append itself returns only once the data is on disk — one system call
   * and one threadpool round trip per batch. `fdatasync`: append, then fdatasync, with up to
   * `syncConcurrency` syncs overlapping.
   */
  sync?: 'dsync' | 'fdatasync';
  /** With `sync: 'fdatasync'`: fdatasyncs that may be in flight at once (writes stay sequential). Default 2. */
  syncConcurrency?: number;
}

type Waiter = { resolve: () => void; reject: (error: unknown) => void };

export class Journal<R> {
  private handle: FileHandle | undefined;
  /** Between open() and close(). The handle may be missing meanwhile: a compaction failed after closing it. */
  private isOpen = false;
  private queue: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private readonly syncing = new Set<Promise<void>>();
  private readonly syncConcurrency: number;
  private readonly dsync: boolean;
  private bytesSinceCompaction = 0;
  /** After a failed append the file may end mid-line: the next batch starts on a fresh line. */
  private torn = false;
  readonly stats: JournalStats = { appended: 0, syncs: 0, compactions: 0, corruptRecords: 0 };
  private readonly file: string;
  private readonly compactAfterBytes: number;

  constructor(
    private readonly dir: string,
    /** The records that rebuild the live state (for compaction), each already serialised as JSON. */
    private readonly snapshot: () => Iterable<string>,
    options: JournalOptions = {},
  ) {
    this.file = join(dir, 'journal.log');
    this.compactAfterBytes = options.compactAfterBytes ?? 8 * 1024 * 1024;
    this.syncConcurrency = Math.max(1, options.syncConcurrency ?? 2);
    this.dsync = (options.sync ?? 'dsync') === 'dsync' && typeof constants.O_DSYNC === 'number';
  }

  /** Replays every intact record through `apply`, then compacts (dropping torn lines) and opens for append. */
  async open(apply: (record: R) => void): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n');
    const tail = lines.pop() ?? '';
    if (tail !== '') this.stats.corruptRecords++; // a final line without its newline is a torn write
    for (const line of lines) {
      if (line === '') continue;
      const record = decode<R>(line);
      if (record === undefined) this.stats.corruptRecords++;
      else apply(record);
    }
    await this.rewrite();
    this.isOpen = true;
  }

  /** Appends a record; resolves once it is on disk. */
  append(record: R): Promise<void> {
    return this.appendJson(JSON.stringify(record));
  }

  /** `append` for a record already serialised (callers that keep the JSON they wrote). */
  appendJson(json: string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error('journal is not open'));
    this.queue.push(encodeJson(json));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  async close(): Promise<void> {
    while (this.flushing || this.syncing.size > 0) {
      await this.flushing;
      await Promise.all(this.syncing);
    }
    this.isOpen = false;
    await this.handle?.close();
    this.handle = undefined;
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
        if (!this.handle) {
          // A compaction failed after closing the journal: rebuild it whole first (the snapshot
          // holds this batch's changes too; writing them again after it is harmless).
          try {
            await this.rewrite();
          } catch (error) {
            for (const waiter of waiters) waiter.reject(error);
            continue;
          }
        }
        const batch = (this.torn ? '\n' : '') + records.join('');
        try {
          await this.handle!.write(batch);
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
    const sync: Promise<void> = this.handle!.datasync()
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
    const out = await open(tmp, 'w');
    try {
      let chunk = '';
      for (const json of this.snapshot()) {
        chunk += encodeJson(json);
        if (chunk.length > 1 << 20) {
          await out.write(chunk);
          chunk = '';
        }
      }
      await out.write(chunk);
      await out.sync();
    } finally {
      await out.close();
    }
    // No handle until the new one is open: a failure below must not leave a closed one in use.
    const previous = this.handle;
    this.handle = undefined;
    await previous?.close();
    await rename(tmp, this.file);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.handle = await open(this.file, this.dsync ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC : 'a');
    this.bytesSinceCompaction = 0;
    this.torn = false;
    this.stats.compactions++;
  }
}

function encodeJson(json: string): string {
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

function decode<R>(line: string): R | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    return JSON.parse(json) as R;
  } catch {
    return undefined;
  }
}
