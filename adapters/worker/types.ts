/**
 * The queue port: everything the runner needs from a job store, one method per state change of
 * the job chart (machines/worker/job.ts). `redisQueue()` implements it with one Lua script per method,
 * `memoryQueue()` in-process with the same semantics; tests/worker/contract.ts holds both to it.
 *
 * Backends move opaque job data (`data`, the JSON of a `JobRecord`) between states and never
 * parse it, so malformed data can always be moved to the dead set with an error instead of
 * crashing a script. Times are passed in (`now`), so one clock — XState's — drives everything.
 */

/** Ready queues: `high` is served before `low`, with a weight so `low` is never starved. */
export type QueueName = 'high' | 'low';
export const queueNames: readonly QueueName[] = ['high', 'low'];

/** Where a job is (`done` jobs are deleted: a finished job reads as `undefined`). */
export type StoredJobState = 'waiting' | 'ready' | 'working' | 'dead';

/** The seed's Meta, as stored (JSON) in the backend. */
export interface JobRecord {
  id: string;
  /** The worker that performs it. */
  name: string;
  payload: unknown;
  queue: QueueName;
  /** Retries allowed after the first run; `< 0` unlimited. */
  retry: number;
  /** Failures so far. */
  retryCount: number;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the first run when declared delayed, else null. */
  performAt: number | null;
  /** The last failure's message, null while none failed. */
  error: string | null;
}

export interface NewJob {
  id: string;
  queue: QueueName;
  /** Due time, epoch ms; `<= now` queues it ready at once. */
  performAt: number;
  /** The encoded `JobRecord`. */
  data: string;
}

export interface PulledJob {
  id: string;
  queue: QueueName;
  /** `null` when the id had no data (deleted meanwhile): the runner skips it. */
  data: string | null;
}

export interface PullResult {
  jobs: PulledJob[];
  /** Due time of the earliest waiting job, so an idle runner knows when to look again. */
  nextDueAt: number | null;
}

export interface JobFailure {
  id: string;
  /** New data to store (retryCount and error updated), or `undefined` to keep what is stored. */
  data?: string;
  /** When to run again; `null` moves the job to the dead set. */
  retryAt: number | null;
  error: string;
}

/** What one `fail` call did. */
export interface FailResult {
  /** Jobs moved out of the working set (to waiting or dead). */
  moved: number;
  /** Dead jobs deleted by the retention policy (adapters/worker/retention.ts) in the same step. */
  trimmed: number;
}

export interface DeadJob {
  id: string;
  data: string | null;
  error: string | null;
  diedAt: number;
}

export interface RecoveryResult {
  /** Runners whose alive deadline passed and whose working sets were handed back. */
  runners: string[];
  /** Jobs moved from those working sets back to ready. */
  jobs: number;
}

export interface QueueCounts {
  waiting: number;
  high: number;
  low: number;
  dead: number;
  completed: number;
  failed: number;
  /**
   * Dead jobs deleted by the retention policy, ever. Both backends here report it; optional so
   * counts built by hand (a placeholder before the first read, an older backend) still type-check.
   */
  deadTrimmed?: number;
}

export interface BackendDiagnostics {
  /** Reconnects of the command connection since the backend was made. */
  reconnects: number;
  /** Wake-up subscriptions that failed: runners then find new work by polling (idlePollMs) only. */
  subscriptionFailures: number;
}

export interface QueueBackend {
  readonly kind: string;
  /** Queues jobs: ready when due, else waiting. One atomic step per call. */
  add(jobs: readonly NewJob[], now: number): Promise<number>;
  /** Moves up to `limit` due waiting jobs to ready (pull does this too). */
  promoteDue(now: number, limit: number): Promise<number>;
  /**
   * Promotes due jobs, then moves up to `limit` ready jobs into `runnerId`'s working set,
   * taking `highWeight` high jobs per low one while both have jobs. A runner missing from the
   * alive set (recovered as dead while it lived) is put back with `aliveUntil`, so what it pulls
   * is recovered if it dies before its next heartbeat; a live runner's deadline is left alone.
   */
  pull(runnerId: string, limit: number, now: number, highWeight: number, aliveUntil: number): Promise<PullResult>;
  /** Finished jobs: out of the working set, data deleted. Ids no longer in it are ignored. */
  complete(runnerId: string, ids: readonly string[]): Promise<number>;
  /**
   * Failed or malformed jobs: out of the working set, to waiting (retryAt) or dead. When jobs die,
   * the dead set is trimmed by the retention policy in the same atomic step (their data and error
   * deleted too).
   */
  fail(runnerId: string, failures: readonly JobFailure[], now: number): Promise<FailResult>;
  /** Hands jobs of the working set back to the front of ready (all of them without `ids`). */
  release(runnerId: string, ids?: readonly string[]): Promise<number>;
  /** Ids in the runner's working set (to reconcile after a pull whose reply was lost). */
  working(runnerId: string): Promise<string[]>;
  /** Registers or refreshes a runner: alive until `expiresAt`. */
  heartbeat(runnerId: string, expiresAt: number): Promise<void>;
  /** Releases the runner's working set and forgets it. */
  unregister(runnerId: string): Promise<number>;
  /** Hands the working sets of runners whose alive deadline passed back to ready. */
  recover(now: number): Promise<RecoveryResult>;
  /** Dead jobs, oldest first. */
  dead(offset: number, limit: number): Promise<DeadJob[]>;
  /** A dead job back to ready (with `data` replacing what is stored when given). */
  redrive(id: string, queue: QueueName, data?: string): Promise<boolean>;
  /** The stored data of a job, or null. */
  get(id: string): Promise<string | null>;
  /** Where a job is now; `undefined` when it is done (or never existed). */
  state(id: string): Promise<StoredJobState | undefined>;
  counts(): Promise<QueueCounts>;
  /** Calls `listener` when jobs may have become ready (add, release, recover, redrive). */
  onWork(listener: () => void): () => void;
  /**
   * Calls `listener` each time the backend's connection is back after a drop (not the first
   * connect): a call on the wire meanwhile may have run without its reply, so the runner
   * reconciles its working set. Optional: a backend that never reconnects (memory) has none.
   */
  onReconnect?(listener: () => void): () => void;
  /** Connection health counters, for status and /metrics. Optional, like onReconnect. */
  diagnostics?(): BackendDiagnostics;
  /** Releases what the backend opened itself (not a client passed in); `onWork` subscribes nothing afterwards. */
  close(): Promise<void>;
}
