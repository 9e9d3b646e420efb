import { ConfigError } from '../../errors/base.js';

/**
 * How long dead jobs are kept, shared by both backends so they trim alike. Without a bound the dead
 * set (and each dead job's data and error) grows forever; the defaults are Sidekiq's dead set.
 */
export interface DeadRetention {
  /** Most dead jobs kept; the oldest beyond it are deleted. `0` keeps none, `Infinity` no bound. Default 10 000. */
  maxJobs?: number;
  /** Dead jobs older than this are deleted. `Infinity` no bound. Default 180 days. */
  maxAgeMs?: number;
}

export interface DeadRetentionOptions {
  deadRetention?: DeadRetention;
  /**
   * Most dead jobs one `fail` call deletes beyond those that died in it (so a burst of deaths never
   * outgrows the bound, while a backlog — a lowered limit — goes 1000 at a time, never blocking
   * Redis long). Default 1000.
   */
  deadTrimBatch?: number;
}

export interface ResolvedRetention {
  maxJobs: number;
  maxAgeMs: number;
  trimBatch: number;
}

export const defaultDeadRetention = { maxJobs: 10_000, maxAgeMs: 180 * 24 * 3_600_000 } as const;

function check(field: string, value: number | undefined, fallback: number, integer: boolean, min: number): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && value >= min && (value === Infinity || (integer ? Number.isInteger(value) : Number.isFinite(value)));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a number';
    throw new ConfigError(`${field} must be ${kind} >= ${min}${min === 0 ? ' (or Infinity for no bound)' : ''}, got ${String(value)}`, { field, value });
  }
  return value;
}

/** Fills the defaults and refuses what cannot work (negative, NaN, a fraction of a job) with a ConfigError naming the field. */
export function resolveRetention(options: DeadRetentionOptions): ResolvedRetention {
  const retention = options.deadRetention ?? {};
  if (typeof retention !== 'object' || retention === null) throw new ConfigError('deadRetention must be an object { maxJobs?, maxAgeMs? }', { field: 'deadRetention' });
  const trimBatch = check('deadTrimBatch', options.deadTrimBatch, 1000, true, 1);
  if (trimBatch === Infinity) throw new ConfigError('deadTrimBatch must be finite: it bounds the work of one script call', { field: 'deadTrimBatch' });
  return {
    maxJobs: check('deadRetention.maxJobs', retention.maxJobs, defaultDeadRetention.maxJobs, true, 0),
    maxAgeMs: check('deadRetention.maxAgeMs', retention.maxAgeMs, defaultDeadRetention.maxAgeMs, false, 0),
    trimBatch,
  };
}
