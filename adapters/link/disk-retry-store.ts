import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RetryStoreFullError } from '../../errors/link.js';
import type { RetryMessage, RetryStore } from './retry-store.js';

interface Entry {
  order: number;
  createdAt: number;
}

const SUFFIX = '.msg.json';
const NAME = /^(\d{16})-(\d+)\.msg\.json$/;

/**
 * The disk retry store: one file per message, `<order, 16 digits>-<createdAt>.msg.json`, so a
 * directory listing alone rebuilds the ordered index at start (no file is read until needed).
 * Writes go to a temporary name and are renamed into place: a crash leaves either the whole
 * message or nothing. File operations run one after another on a chain, so a `peek` after a
 * `put` always sees the file; `size()` and friends answer from the index at once.
 */
export class DiskRetryStore implements RetryStore {
  readonly kind = 'disk' as const;
  private index: Entry[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Messages whose file could not be written: still queued, from memory (lost only with the process). */
  private readonly unwritten = new Map<number, RetryMessage>();
  /** Files that could not be written, read or parsed (counted, skipped, never thrown at callers). */
  ioErrors = 0;

  private constructor(readonly dir: string, readonly capacity: number) {}

  /** Opens (creating) `dir` and indexes the messages already there. Capacity: seed default 10 000. */
  static async open(dir: string, capacity = 10_000): Promise<DiskRetryStore> {
    await mkdir(dir, { recursive: true });
    const store = new DiskRetryStore(dir, capacity);
    for (const name of await readdir(dir)) {
      const match = NAME.exec(name);
      if (match) store.index.push({ order: Number(match[1]), createdAt: Number(match[2]) });
      else if (name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => {});
    }
    store.index.sort((a, b) => a.order - b.order);
    return store;
  }

  /** Messages held in memory because their file could not be written (gone with the process). */
  unwrittenCount(): number {
    return this.unwritten.size;
  }

  size(): number {
    return this.index.length;
  }

  sizeAfter(after: number): number {
    return this.index.length - this.firstAfter(after);
  }

  maxOrder(): number {
    return this.index.at(-1)?.order ?? -1;
  }

  put(message: RetryMessage): void {
    if (this.index.length >= this.capacity) throw new RetryStoreFullError(this.kind, this.capacity);
    const entry = { order: message.order, createdAt: message.createdAt };
    const at = this.firstAfter(message.order - 1);
    if (this.index[at]?.order === message.order) return; // already stored
    this.index.splice(at, 0, entry);
    const path = this.pathOf(entry);
    const text = JSON.stringify(message);
    this.enqueue(async () => {
      try {
        await writeFile(`${path}.tmp`, text);
        await rename(`${path}.tmp`, path);
      } catch (error) {
        if (this.index[this.firstAfter(entry.order - 1)]?.order === entry.order) this.unwritten.set(entry.order, { ...message });
        throw error; // counted
      }
    });
  }

  remove(orders: readonly number[]): void {
    for (const order of orders) {
      const at = this.firstAfter(order - 1);
      const entry = this.index[at];
      if (entry?.order !== order) continue;
      this.index.splice(at, 1);
      this.unwritten.delete(order);
      const path = this.pathOf(entry);
      this.enqueue(() => unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      }));
    }
  }

  async peek(limit: number, after = -1): Promise<RetryMessage[]> {
    const start = this.firstAfter(after);
    const entries = this.index.slice(start, start + limit);
    await this.chain;
    const out: RetryMessage[] = [];
    for (const entry of entries) {
      const message = await this.read(entry);
      if (message) out.push(message);
    }
    return out;
  }

  async expire(cutoff: number, after = -1): Promise<RetryMessage[]> {
    const expired = this.index.slice(this.firstAfter(after)).filter((e) => e.createdAt < cutoff);
    await this.chain;
    const messages: RetryMessage[] = [];
    for (const entry of expired) {
      messages.push((await this.read(entry)) ?? { id: `order-${entry.order}`, order: entry.order, frame: '', attempt: 0, createdAt: entry.createdAt });
    }
    this.remove(expired.map((e) => e.order));
    return messages;
  }

  flush(): Promise<void> {
    return this.chain;
  }

  close(): Promise<void> {
    return this.chain;
  }

  private async read(entry: Entry): Promise<RetryMessage | undefined> {
    const kept = this.unwritten.get(entry.order);
    if (kept) return { ...kept };
    try {
      return JSON.parse(await readFile(this.pathOf(entry), 'utf8')) as RetryMessage;
    } catch {
      // A file damaged outside our control: count it and drop it from the index, never crash.
      this.ioErrors++;
      this.remove([entry.order]);
      return undefined;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch(() => {
      this.ioErrors++;
    });
  }

  private pathOf(entry: Entry): string {
    return join(this.dir, `${String(entry.order).padStart(16, '0')}-${entry.createdAt}${SUFFIX}`);
  }

  /** Index of the first entry with order > after (binary search). */
  private firstAfter(after: number): number {
    let lo = 0;
    let hi = this.index.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.index[mid]!.order > after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
