/**
 * A binary min-heap of items by due time: O(log n) push and pop, O(1) peek. The memory backend's
 * waiting set: a delayed job is pushed, due ones are popped from the front, nothing is taken from
 * the middle (issue 22: a sorted array's splice and the promote's copy were O(n) per job).
 *
 * The times sit in their own array of numbers beside the items, so a sift compares numbers read
 * in place rather than a field behind a pointer per level; `tie(a, b)` (a strict order) decides
 * only between equal times, so pops come in one defined order whatever the order of the pushes.
 */
export class DueHeap<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  constructor(private readonly tie: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.times.length;
  }

  /** The earliest due time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.times[0];
  }

  push(time: number, item: T): void {
    const { times, items } = this;
    let i = times.length;
    times.push(time);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const t = times[parent]!;
      if (!(time < t || (time === t && this.tie(item, items[parent]!)))) break;
      times[i] = t;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = time;
    items[i] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const { times, items } = this;
    const top = items[0];
    const lastTime = times.pop();
    const last = items.pop();
    const n = times.length;
    if (n === 0 || lastTime === undefined || last === undefined) return top;
    // Sift the last item down from the root.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(right, left) ? right : left;
      const t = times[child]!;
      if (!(t < lastTime || (t === lastTime && this.tie(items[child]!, last)))) break;
      times[i] = t;
      items[i] = items[child]!;
      i = child;
    }
    times[i] = lastTime;
    items[i] = last;
    return top;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.tie(this.items[a]!, this.items[b]!));
  }
}
