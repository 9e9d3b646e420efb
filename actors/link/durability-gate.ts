import type { RetryMessage } from '../../adapters/link/retry-store.js';

/** What the gate needs of the log (the disk retry store). */
export interface GateLog {
  /** Writes the records of this tick now, in one write (see `DiskRetryStore.writeNow`). */
  writeNow(): boolean;
  sync(): Promise<void>;
}

/**
 * A report is on disk before it is sent: reports wait here, in order, until the end of the tick
 * they were made in, when the log writes all of them in one write and they pass on together
 * (durability `batch`). With `syncBeforeSend` (durability `always`) they pass once the fdatasync
 * after that write returned: one sync for every report of the tick (group commit). A failed
 * write or sync lets them pass anyway (counted by the store): a report is never held back for a
 * disk that cannot take it, it only loses its survival of a crash.
 */
export class DurabilityGate<M extends RetryMessage> {
  private held: M[] = [];
  /** Held reports already written and waiting for their sync (the first ones). */
  private syncing = 0;
  private scheduled = false;

  constructor(
    private readonly log: GateLog,
    private readonly syncBeforeSend: boolean,
    private readonly pass: (message: M) => void,
  ) {}

  get size(): number {
    return this.held.length;
  }

  values(): readonly M[] {
    return this.held;
  }

  /** `message` was appended to the log in this tick: it passes once written (or synced). */
  hold(message: M): void {
    this.held.push(message);
    if (!this.syncBeforeSend && this.syncing === 0 && message.at && message.at.offset >= 0) {
      // A long burst is written in chunks as it is made: what is written goes at once, so the
      // server reads (and acks) the first reports while the rest are still being made.
      this.passOn(this.held.splice(0));
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.release());
  }

  private release(): void {
    this.scheduled = false;
    this.log.writeNow();
    const count = this.held.length - this.syncing;
    if (!this.syncBeforeSend) {
      this.passOn(this.held.splice(0, count));
      return;
    }
    this.syncing += count;
    // Syncs complete in the order asked, so batches pass in order.
    const done = () => {
      this.syncing -= count;
      this.passOn(this.held.splice(0, count));
    };
    this.log.sync().then(done, done);
  }

  private passOn(ready: readonly M[]): void {
    for (const message of ready) this.pass(message);
  }
}
