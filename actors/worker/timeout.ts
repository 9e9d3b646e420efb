import { ConfigError } from '../../errors/base.js';
import type { Clock } from '../../machines/clock.js';

/** setTimeout's longest delay: Node fires a longer one after 1 ms (with a warning), so it is refused. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** The timers of XState's clock port when the host gave none (SimulatedClock in tests drives the same calls). */
export const realTimers: Clock = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (id: ReturnType<typeof setTimeout>) => clearTimeout(id),
};

/** A job timeout is a positive number of ms up to setTimeout's limit, or Infinity (no limit). */
export function checkTimeout(field: string, value: unknown, details: Record<string, unknown> = {}): void {
  if (value === undefined || value === Infinity) return;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMEOUT_MS) {
    throw new ConfigError(`${field} must be a number of ms > 0 and <= ${MAX_TIMEOUT_MS} (or Infinity for no limit), got ${String(value)}`, {
      ...details,
      field,
      value,
    });
  }
}

/**
 * One job's own abort signal, for a job that has a timeout: aborted when the runner's signal is
 * (the drain deadline) or when its timer fires. Without a timeout a job gets the runner's signal
 * itself, so the common path costs no controller, listener or timer.
 */
export class JobDeadline {
  private readonly controller = new AbortController();
  private timer: unknown;
  /** The drain deadline passed: the job is handed back, so its own timeout is moot (and no timer outlives the runner). */
  private readonly follow = () => {
    this.dispose();
    this.controller.abort(this.runnerSignal.reason);
  };

  constructor(
    private readonly runnerSignal: AbortSignal,
    private readonly clock: Clock,
  ) {
    if (runnerSignal.aborted) this.controller.abort(runnerSignal.reason);
    else runnerSignal.addEventListener('abort', this.follow, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Calls `expire` after `ms` unless disposed first (armed only once perform returned a promise). */
  arm(ms: number, expire: () => void): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      expire();
    }, ms);
  }

  /** Aborts the job's signal with `reason` (its timeout error) and lets go of the runner's signal. */
  abort(reason: Error): void {
    this.dispose();
    this.controller.abort(reason);
  }

  /** The job settled: no timer and no listener on the runner's signal outlive it. */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.runnerSignal.removeEventListener('abort', this.follow);
  }
}
