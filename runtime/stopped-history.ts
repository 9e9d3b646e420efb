import type { ActorStatus } from './types.js';

/**
 * What the runtime keeps of the actors it has stopped: the final status of the last `limit` of
 * them, oldest first, in a ring. A stopped actor leaves the runtime's registry (its id is free, and
 * status/metrics/readiness walk live actors only); this is how an operator still sees the last
 * ones go, at a cost that does not grow with how many came and went.
 */
export class StoppedHistory {
  private readonly ring: ActorStatus[] = [];
  /** Where the next status goes once the ring is full (it is then the oldest). */
  private next = 0;

  constructor(private readonly limit: number) {}

  add(status: ActorStatus): void {
    if (this.limit === 0) return;
    if (this.ring.length < this.limit) this.ring.push(status);
    else this.ring[this.next] = status;
    this.next = (this.next + 1) % this.limit;
  }

  /** Oldest first. */
  list(): ActorStatus[] {
    if (this.ring.length < this.limit) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
