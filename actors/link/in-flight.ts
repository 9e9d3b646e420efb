import type { RetryMessage } from '../../adapters/link/retry-store.js';

/** Where an unacknowledged report lives besides the in-flight table. */
export type Home = 'none' | 'memory' | 'disk';

/** A report in flight: the message itself plus where it is stored (one object per report). */
export interface InFlight extends RetryMessage {
  home: Home;
}

/** Holes allowed between consecutive orders before an entry goes to the side table. */
const MAX_GAP = 1024;
/** Slots spanned (mostly holes) before old live entries move to the side table. */
const SPARSE_SPAN = 8192;

/**
 * The reports sent and not yet acked, in send order, found by id.
 *
 * The link numbers its reports (`order`) and puts the number in the frame id
 * (`<prefix><order - origin, base 36>`), so an ack finds its report by index in a window of slots instead
 * of hashing a fresh id string into a map: on the hot path this is the difference between a link
 * that keeps up with a raw socket and one that does not. Reports of another process (loaded from
 * disk, other prefix) or far out of sequence live in a small side map.
 */
export class InFlightWindow {
  private slots: Array<InFlight | undefined> = [];
  /** Order of `slots[0]`. */
  private base = 0;
  /** Index of the first slot that may be live. */
  private head = 0;
  private inSlots = 0;
  private readonly side = new Map<string, InFlight>();

  /**
   * @param prefix start of this process's report ids
   * @param origin the first order: ids carry `order - origin`, a small integer (base-36 printing
   *   of a large double is slow, and this runs once per report)
   */
  constructor(private readonly prefix: string, private readonly origin: number) {}

  get size(): number {
    return this.inSlots + this.side.size;
  }

  /** The id of report `order`. */
  idFor(order: number): string {
    return this.prefix + (order - this.origin).toString(36);
  }

  /** @param fromIdFor the entry's id is `idFor(entry.order)` (made so by the caller: no need to check) */
  add(entry: InFlight, fromIdFor = false): void {
    if (!fromIdFor && entry.id !== this.idFor(entry.order)) {
      this.side.set(entry.id, entry);
      return;
    }
    if (this.head === this.slots.length) {
      // Empty window: restart it at this order.
      this.slots = [];
      this.head = 0;
      this.base = entry.order;
    }
    const index = entry.order - this.base;
    if (index < this.slots.length || index - this.slots.length > MAX_GAP) {
      if (this.slots[index] === undefined && index >= this.head && index < this.slots.length) {
        this.slots[index] = entry;
        this.inSlots++;
      } else {
        this.side.set(entry.id, entry);
      }
      return;
    }
    while (this.slots.length < index) this.slots.push(undefined);
    this.slots.push(entry);
    this.inSlots++;
    const span = this.slots.length - this.head;
    if (span > SPARSE_SPAN && this.inSlots * 4 < span) this.unpin(this.head + (span >> 1));
  }

  get(id: string): InFlight | undefined {
    if (id.startsWith(this.prefix)) {
      const entry = this.slots[this.origin + parseInt(id.slice(this.prefix.length), 36) - this.base];
      if (entry !== undefined && entry.id === id) return entry;
    }
    return this.side.size ? this.side.get(id) : undefined;
  }

  delete(entry: InFlight): void {
    const index = entry.order - this.base;
    if (this.slots[index] === entry) {
      this.slots[index] = undefined;
      this.inSlots--;
      while (this.head < this.slots.length && this.slots[this.head] === undefined) this.head++;
      if (this.head > 4096 && this.head * 2 > this.slots.length) this.compact();
      return;
    }
    this.side.delete(entry.id);
  }

  /** Every entry, lowest order first. */
  values(): InFlight[] {
    const all = [...this.side.values()];
    for (let i = this.head; i < this.slots.length; i++) {
      const entry = this.slots[i];
      if (entry !== undefined) all.push(entry);
    }
    return this.side.size ? all.sort((a, b) => a.order - b.order) : all;
  }

  /**
   * A few old reports left unacked (the server dropped them; they wait for a reconnect or their
   * TTL) would otherwise hold `head`, and the slot array would grow with every report after them.
   * The live entries below `until` move to the side table and the window compacts.
   */
  private unpin(until: number): void {
    for (let i = this.head; i < until; i++) {
      const entry = this.slots[i];
      if (entry === undefined) continue;
      this.side.set(entry.id, entry);
      this.slots[i] = undefined;
      this.inSlots--;
    }
    this.head = until;
    while (this.head < this.slots.length && this.slots[this.head] === undefined) this.head++;
    this.compact();
  }

  private compact(): void {
    this.slots = this.slots.slice(this.head);
    this.base += this.head;
    this.head = 0;
  }
}
