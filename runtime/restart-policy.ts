import { MAX_TIMER_MS } from './wall-clock.js';

/**
 * Supervision: what happens when a hosted actor errors. Pure, so the decision is tested apart from
 * timers; `Supervisor` applies it.
 */
export type RestartPolicy =
  | 'never'
  | {
      /** Restarts allowed within `withinMs` before the actor is given up on. */
      maxRestarts: number;
      /** The sliding window restarts are counted in. */
      withinMs: number;
      /** Delay before the first restart; doubles with each restart in the window. */
      backoffMs: number;
      /** Upper bound of the delay. */
      maxBackoffMs: number;
    };

/** Used when `spawn` names no policy: restart, but give up on a crash loop. */
export const defaultRestartPolicy: RestartPolicy = { maxRestarts: 5, withinMs: 60_000, backoffMs: 100, maxBackoffMs: 10_000 };

export type RestartDecision = { restart: true; delayMs: number } | { restart: false };

/**
 * Decides from the times of earlier restarts (oldest first) whether to restart now, and after how
 * long. Restarts older than the window are forgotten, so a long-lived actor that fails rarely is
 * always restarted, while a crash loop is given up on.
 */
export function decideRestart(policy: RestartPolicy, restartTimes: readonly number[], now: number): RestartDecision {
  if (policy === 'never') return { restart: false };
  const recent = restartTimes.filter((at) => now - at < policy.withinMs).length;
  if (recent >= policy.maxRestarts) return { restart: false };
  const delayMs = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** recent);
  return { restart: true, delayMs };
}

export function validateRestartPolicy(policy: RestartPolicy): string | undefined {
  if (policy === 'never') return undefined;
  for (const key of ['maxRestarts', 'withinMs', 'backoffMs', 'maxBackoffMs'] as const) {
    const value = policy[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `restart.${key} must be a finite number >= 0 (got ${String(value)})`;
  }
  if (policy.maxBackoffMs < policy.backoffMs) return 'restart.maxBackoffMs must be >= restart.backoffMs';
  // A longer timer overflows in Node and fires after 1 ms: a crash loop instead of a long pause.
  if (policy.maxBackoffMs > MAX_TIMER_MS) return `restart.maxBackoffMs must be <= ${MAX_TIMER_MS} (about 24.8 days)`;
  return undefined;
}
