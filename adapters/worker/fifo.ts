/**
 * A FIFO with amortised O(1) push, shift and unshift: an array with a moving head. Room at the
 * front is made in one go when an unshift finds none (release and recovery put jobs back at the
 * front: an Array.unshift there moved the whole ready queue per job), and the array is compacted
 * once the dead room at the front passes 2048 slots and twice the live part: each copy is paid
 * for by at least a third as many shifts or unshifts, never repeated per item.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    if (this.head === 0) this.makeRoom();
    this.items[--this.head] = item;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head > 2048 && this.head > 2 * this.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  includes(item: T): boolean {
    return this.items.indexOf(item, this.head) >= 0;
  }

  /** Moves the live items back by as many as there are (at least 1024): that many unshifts are free. */
  private makeRoom(): void {
    const live = this.items.length;
    const room = Math.max(1024, live);
    const items = new Array<T>(room + live);
    for (let i = 0; i < live; i++) items[room + i] = this.items[i]!;
    this.items = items;
    this.head = room;
  }
}
