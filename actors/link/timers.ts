import type { Clock } from '../../machines/clock.js';

/** The wall clock as XState's clock port, for facades created without a host clock. */
export const realClock: Clock = {
  setTimeout: (fn: (...args: unknown[]) => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout),
};

/**
 * Background steps on the link's clock (so a `SimulatedClock` drives them in tests): each runs
 * `work` every `ms`, the next run armed only after the previous one settled (no overlap).
 */
export class Every {
  private readonly handles = new Set<unknown>();
  private stopped = false;

  constructor(private readonly clock: Clock, private readonly onError: (error: unknown) => void) {}

  /** Does nothing once stopped: a stopped link arms no timer. */
  start(ms: number, work: () => Promise<void>): void {
    if (this.stopped) return;
    const arm = () => {
      const handle = this.clock.setTimeout(() => {
        this.handles.delete(handle);
        work().catch(this.onError).finally(() => {
          if (!this.stopped) arm();
        });
      }, ms);
      this.handles.add(handle);
    };
    arm();
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.handles) this.clock.clearTimeout(handle);
    this.handles.clear();
  }
}
