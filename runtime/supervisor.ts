import type { Clock } from '../machines/clock.js';
import { decideRestart, type RestartDecision, type RestartPolicy } from './restart-policy.js';

/**
 * The restarts of one hosted actor, across its incarnations: applies its policy to each error
 * (restart-policy.ts decides, purely) and holds the backoff timer until the restart is due.
 * Backoff runs on the runtime's clock, so a SimulatedClock drives restarts like the charts' delays.
 */
export class Supervisor {
  private count = 0;
  /** When the restarts inside the policy's window were done, oldest first. */
  private readonly restartTimes: number[] = [];
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly now: () => number,
  ) {}

  /** Restarts done so far. */
  get restarts(): number {
    return this.count;
  }

  /** Whether an error at `at` gets a restart under `policy`, and after how long. */
  decide(policy: RestartPolicy, at: number): RestartDecision {
    // Only the restarts inside the window matter: forget older ones (a rarely failing actor lives long).
    if (policy !== 'never') while (this.restartTimes.length && at - this.restartTimes[0]! >= policy.withinMs) this.restartTimes.shift();
    return decideRestart(policy, this.restartTimes, at);
  }

  /** Counts the restart and calls `restart` once `delayMs` has passed, unless a stop came first. */
  schedule(delayMs: number, restart: () => void): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      // The timer may have been set while the stop was already under way (an error during the
      // drain's first, synchronous step): a stopped actor is never revived.
      if (this.stopped) return;
      this.count++;
      this.restartTimes.push(this.now());
      restart();
    }, delayMs);
  }

  /** No restart from here on: the actor is being stopped. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
