/**
 * Redis keys of one queue. Every key shares the hash tag `{<name>}`, so all of a queue lives in
 * one Redis Cluster slot and every Lua script may touch any of them.
 */
export interface QueueKeys {
  /** Sorted set `<queue>#<id>` by due time (the seed's waiting queue). */
  waiting: string;
  /** Lists of ready ids. */
  high: string;
  low: string;
  /** Hash id → job data (JSON). */
  jobs: string;
  /** Hash id → last error, for jobs that failed. */
  errors: string;
  /** Sorted set id by time of death. */
  dead: string;
  /** Sorted set runnerId by alive deadline (the seed's alive keys). */
  alive: string;
  /** Hash `completed` / `failed` / `dead` counters. */
  stats: string;
  /** Lock key for recovery (one recoverer at a time). */
  recoveryLock: string;
  /** Pub/sub channel that wakes idle runners. */
  notify: string;
  /** Prefix of the per-runner working hashes (id → queue). */
  workingPrefix: string;
  working(runnerId: string): string;
}

export function queueKeys(name = 'default', prefix = 'worker'): QueueKeys {
  const base = `${prefix}:{${name}}:`;
  return {
    waiting: `${base}waiting`,
    high: `${base}ready:high`,
    low: `${base}ready:low`,
    jobs: `${base}jobs`,
    errors: `${base}errors`,
    dead: `${base}dead`,
    alive: `${base}alive`,
    stats: `${base}stats`,
    recoveryLock: `${base}lock:recovery`,
    notify: `${base}notify`,
    workingPrefix: `${base}working:`,
    working: (runnerId) => `${base}working:${runnerId}`,
  };
}
