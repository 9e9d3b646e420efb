import type { ResolvedRetention } from './retention.js';

interface Entry {
  id: string;
  at: number;
}

/** Redis's zset order: by score, ties by member (byte order; code-unit order here, equal for ASCII ids). */
const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * The memory backend's dead set: ids by time of death, kept sorted like the Redis zset, so paging
 * and trimming take the same jobs in the same order on both backends (the oldest are at the front).
 */
export class DeadSet {
  private entries: Entry[] = [];
  private readonly at = new Map<string, number>();

  get size(): number {
    return this.entries.length;
  }

  has(id: string): boolean {
    return this.at.has(id);
  }

  /** Adds `id` or moves it to its new time (ZADD). */
  add(id: string, at: number): void {
    this.delete(id);
    const entry = { id, at };
    this.entries.splice(this.lowerBound(entry), 0, entry);
    this.at.set(id, at);
  }

  delete(id: string): boolean {
    const at = this.at.get(id);
    if (at === undefined) return false;
    this.entries.splice(this.lowerBound({ id, at }), 1);
    this.at.delete(id);
    return true;
  }

  page(offset: number, limit: number): Array<{ id: string; diedAt: number }> {
    return this.entries.slice(offset, offset + limit).map((e) => ({ id: e.id, diedAt: e.at }));
  }

  /**
   * Removes what retention no longer keeps, oldest first, at most `budget`: first entries older
   * than `now - maxAgeMs`, then the oldest beyond `maxJobs` (the age victims are a prefix, so the
   * count victims continue it). Same steps as the `fail` script. Returns the removed ids.
   */
  trim(now: number, retention: ResolvedRetention, budget: number): string[] {
    const cutoff = now - retention.maxAgeMs;
    let count = 0;
    while (count < budget && count < this.entries.length && this.entries[count]!.at < cutoff) count++;
    const over = this.entries.length - count - retention.maxJobs;
    if (over > 0) count += Math.min(over, budget - count);
    if (count === 0) return [];
    const removed = this.entries.splice(0, count).map((e) => e.id);
    for (const id of removed) this.at.delete(id);
    return removed;
  }

  private lowerBound(entry: Entry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.entries[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
