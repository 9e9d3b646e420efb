/**
 * (time, id) pairs in order — by time, ties by id — for the task index's "first k due" and
 * "first k aged" (issue 22: a scan that walked and sorted every pending task took 24 ms at 100k).
 *
 * Sorted blocks of at most BLOCK pairs, each two plain number arrays: finding a pair is a binary
 * search over the blocks' last pairs, then one within a block; adding or deleting moves at most
 * BLOCK numbers; a walk from the smallest reads the arrays in order and costs only what it visits.
 * No object per pair and few pointers to chase, so a lookup stays a handful of cache lines however
 * many tasks wait (a skip list's node per pair measured 2–4x slower per update at 100k than at 10k).
 */
const BLOCK = 512;
/** A block this much smaller is merged into its successor when they fit in one. */
const MERGE_BELOW = BLOCK / 4;

interface Block {
  times: number[];
  ids: number[];
}

const before = (t1: number, i1: number, t2: number, i2: number) => t1 < t2 || (t1 === t2 && i1 < i2);

export class TimeIndex {
  private readonly blocks: Block[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the pair (no-op when present). `time` must not be NaN (callers map it to Infinity). */
  add(time: number, id: number): void {
    if (this.blocks.length === 0) {
      this.blocks.push({ times: [time], ids: [id] });
      this.count++;
      return;
    }
    const k = this.blockFor(time, id);
    const block = this.blocks[k]!;
    const j = lowerBound(block, time, id);
    if (j < block.times.length && block.times[j] === time && block.ids[j] === id) return;
    insertAt(block.times, j, time);
    insertAt(block.ids, j, id);
    this.count++;
    if (block.times.length > BLOCK) {
      const half = BLOCK >> 1;
      this.blocks.splice(k + 1, 0, { times: block.times.splice(half), ids: block.ids.splice(half) });
    }
  }

  /** Removes the pair; false when it is not there. */
  delete(time: number, id: number): boolean {
    if (this.blocks.length === 0) return false;
    const k = this.blockFor(time, id);
    const block = this.blocks[k]!;
    const j = lowerBound(block, time, id);
    if (j >= block.times.length || block.times[j] !== time || block.ids[j] !== id) return false;
    removeAt(block.times, j);
    removeAt(block.ids, j);
    this.count--;
    const next = this.blocks[k + 1];
    if (block.times.length === 0) this.blocks.splice(k, 1);
    else if (block.times.length < MERGE_BELOW && next && block.times.length + next.times.length <= BLOCK) {
      for (let i = 0; i < next.times.length; i++) {
        block.times.push(next.times[i]!);
        block.ids.push(next.ids[i]!);
      }
      this.blocks.splice(k + 1, 1);
    }
    return true;
  }

  /** Calls `visit` on the pairs in order, from the smallest, until it returns false. The index must not change meanwhile. */
  walk(visit: (time: number, id: number) => boolean): void {
    for (const block of this.blocks) {
      for (let j = 0; j < block.times.length; j++) if (!visit(block.times[j]!, block.ids[j]!)) return;
    }
  }

  /** The first block whose last pair is not before (time, id); the last block when every pair is. */
  private blockFor(time: number, id: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = this.blocks[mid]!;
      const last = block.times.length - 1;
      if (before(block.times[last]!, block.ids[last]!, time, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The first position in `block` not before (time, id). */
function lowerBound(block: Block, time: number, id: number): number {
  let lo = 0;
  let hi = block.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(block.times[mid]!, block.ids[mid]!, time, id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** In place, without the array splice() returns. */
function insertAt(list: number[], at: number, value: number): void {
  for (let i = list.length; i > at; i--) list[i] = list[i - 1]!;
  list[at] = value;
}

function removeAt(list: number[], at: number): void {
  for (let i = at; i < list.length - 1; i++) list[i] = list[i + 1]!;
  list.pop();
}
