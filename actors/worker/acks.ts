import type { Logger } from '../../adapters/logger.js';
import type { JobFailure, QueueBackend } from '../../adapters/worker/types.js';
import { describeError } from '../../errors/base.js';
import { backoffDelay } from '../../machines/backoff.js';
import type { Clock } from '../../machines/clock.js';

/** At most this many ids per script call, so one acknowledgement never blocks Redis for long. */
const MAX_BATCH = 5000;

/**
 * Batched, pipelined acknowledgements: everything that finished during a tick goes out as one
 * `complete` and one `fail` call (sent together, so one round trip), one flush in flight at a time.
 * A flush that fails keeps its ids and retries with backoff: they are still in our working set,
 * so a crash meanwhile means a re-run, never a loss.
 */
export class Acknowledger {
  acks: string[] = [];
  failures: JobFailure[] = [];
  lastError: string | null = null;
  /** Dead jobs our `fail` calls trimmed by the backend's retention policy (the queue-wide total is in counts()). */
  deadTrimmed = 0;
  /** Ids whose complete/fail call is on the wire. */
  private readonly onTheWire = new Set<string>();
  private flushing: Promise<void> | undefined;
  private queued = false;
  private failuresInARow = 0;
  private closed = false;
  /** The backoff wait after a failed flush, cut short by `close()`. */
  private retryTimer: { timer: unknown; resolve: () => void } | undefined;

  constructor(
    private readonly backend: QueueBackend,
    private readonly runnerId: string,
    private readonly now: () => number,
    /** The host's clock (a SimulatedClock in tests): the backoff after a failed flush waits on it. */
    private readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    private readonly logger: Logger,
  ) {}

  get pending(): number {
    return this.acks.length + this.failures.length + this.onTheWire.size;
  }

  /** Whether `id` is acknowledged locally but maybe not yet in the backend. */
  has(id: string): boolean {
    return this.onTheWire.has(id) || this.acks.includes(id) || this.failures.some((f) => f.id === id);
  }

  /** Flushes on the next turn of the event loop (so a whole tick of finished jobs goes at once). */
  schedule(): void {
    if (this.queued || this.flushing || this.closed) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (!this.closed) void this.flush();
    });
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.closed || this.acks.length === 0 && this.failures.length === 0) return Promise.resolve();
    const acks = this.acks.length > MAX_BATCH ? this.acks.splice(0, MAX_BATCH) : this.acks;
    const failures = this.failures.length > MAX_BATCH ? this.failures.splice(0, MAX_BATCH) : this.failures;
    if (acks === this.acks) this.acks = [];
    if (failures === this.failures) this.failures = [];
    for (const id of acks) this.onTheWire.add(id);
    for (const failure of failures) this.onTheWire.add(failure.id);
    this.flushing = Promise.all([this.backend.complete(this.runnerId, acks), this.backend.fail(this.runnerId, failures, this.now())])
      .then(([, failed]) => {
        this.failuresInARow = 0;
        // A backend written to the older port resolves a number (or nothing): count nothing, never NaN.
        this.deadTrimmed += typeof failed === 'object' && failed !== null ? Number(failed.trimmed) || 0 : 0;
      })
      .catch((error: unknown) => {
        this.acks.unshift(...acks);
        this.failures.unshift(...failures);
        this.lastError = describeError(error).message;
        this.failuresInARow++;
        this.logger.warn('worker: acknowledging jobs failed, retrying', { runnerId: this.runnerId, error: this.lastError });
        if (this.closed) return;
        return new Promise<void>((resolve) => {
          const timer = this.timers.setTimeout(() => {
            this.retryTimer = undefined;
            resolve();
          }, backoffDelay(this.failuresInARow, { initialMs: 50, maxMs: 2000 }));
          this.retryTimer = { timer, resolve };
        });
      })
      .finally(() => {
        this.onTheWire.clear();
        this.flushing = undefined;
        if (this.acks.length || this.failures.length) this.schedule();
      });
    return this.flushing;
  }

  /**
   * Stops retrying (the runner stopped): no timer or scheduled flush outlives it. What is still
   * pending stays in the backend's working set, handed back by unregister or recovery.
   */
  close(): void {
    this.closed = true;
    if (this.retryTimer) {
      this.timers.clearTimeout(this.retryTimer.timer as never);
      this.retryTimer.resolve();
      this.retryTimer = undefined;
    }
  }

  /**
   * Flushes until nothing is pending, `deadline` (the host clock's time) passed, or close().
   * Never a busy wait: each round awaits a flush on the wire or its backoff timer, and a closed
   * acknowledger (whose flush resolves at once) ends the loop.
   */
  async flushAll(deadline: number): Promise<void> {
    while (!this.closed && (this.acks.length || this.failures.length || this.flushing) && this.now() < deadline) {
      await (this.flushing ?? this.flush());
    }
  }
}
