/**
 * Group commit of fdatasyncs for records already written: `request()` returns a sync that starts
 * after the call (so it covers everything written before), and every caller while one runs
 * shares the next one, whatever their number. `written()` arms the window: a sync `windowMs`
 * after a write that nobody asked to sync (0: only requests sync).
 */
export class SyncGroup {
  /** The sync not yet started that covers everything written so far. */
  private next: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Written since the last sync began. */
  private dirty = false;

  constructor(
    /** One fdatasync (counted and thrown by the caller when it fails). */
    private readonly run: () => Promise<void>,
    private readonly windowMs: number,
  ) {}

  request(): Promise<void> {
    if (!this.next) {
      const sync = this.last.then(() => {
        this.next = undefined;
        this.dirty = false;
        return this.run().catch((error: unknown) => {
          this.dirty = true;
          throw error;
        });
      });
      this.next = sync;
      this.last = sync.catch(() => undefined);
    }
    return this.next;
  }

  written(): void {
    this.dirty = true;
    if (this.windowMs <= 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.request().catch(() => undefined); // counted by `run`
    }, this.windowMs);
    this.timer.unref();
  }

  /** Syncs what is still unsynced, waits for every sync, and disarms the window. */
  async finish(): Promise<void> {
    if (this.dirty) await this.request().catch(() => undefined);
    await this.last;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
