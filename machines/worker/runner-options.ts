import type { BackoffOptions } from '../backoff.js';

/** Input, context, events and actor outputs of the `runner` chart (machines/worker/runner.ts). */
export interface RunnerInput {
  /** Runner slots: jobs performed at once. Default 10. */
  threads?: number;
  /** Jobs per pull. Default 30 (the seed's ReadyQueuePullBatchSize). */
  pullBatchSize?: number;
  /** Pull while holding fewer than `ratio × threads` jobs. Default 3 (the seed's NeedPullThresholdRatio). */
  needPullThresholdRatio?: number;
  /** How long one heartbeat keeps the runner alive. Default 30 000 ms (the seed's RunnerAliveStatusTTL). */
  aliveTtlMs?: number;
  /** Heartbeat period. Default a third of `aliveTtlMs`. */
  heartbeatEveryMs?: number;
  /** Longest idle wait before looking again (wake-ups come earlier on new work). Default 1000 ms. */
  idlePollMs?: number;
  /** Default drain deadline when `runner.stop` carries none. Default 10 000 ms. */
  drainTimeoutMs?: number;
  /**
   * Longest wait for handing held jobs back and unregistering (a frozen backend never answers)
   * before stopping anyway; what was not handed back is recovered once `aliveTtlMs` passed.
   * Default 10 000 ms.
   */
  releaseTimeoutMs?: number;
  /** Backoff while the backend fails. Default 100 ms doubling to 5 s, equal jitter. */
  backendBackoff?: BackoffOptions;
}

export interface RunnerContext {
  threads: number;
  pullBatchSize: number;
  needPullThreshold: number;
  aliveTtlMs: number;
  heartbeatEveryMs: number;
  idlePollMs: number;
  drainTimeoutMs: number;
  releaseTimeoutMs: number;
  backendBackoff: BackoffOptions;
  /** Consecutive backend failures (the backoff attempt). */
  failures: number;
  lastError: string | null;
  /** A reconcile is owed (failed pull, backend reconnect, heartbeat) and runs before the next pull. */
  reconcileDue: boolean;
  /** Absolute time an idle runner looks again. */
  wakeAt: number | null;
  /** Absolute time in-flight jobs are aborted and handed back. */
  drainDeadline: number | null;
}

/** What one pull reports: jobs taken, jobs now held (buffered + running), the next due time. */
export interface PullOutput {
  pulled: number;
  held: number;
  nextDueAt: number | null;
}

/** What one reconcile did: stray jobs handed back, jobs still held. */
export interface ReconcileOutput {
  released: number;
  held: number;
}

export interface HeartbeatOutput {
  recoveredRunners: string[];
  recoveredJobs: number;
}

export type RunnerEvent =
  | { type: 'runner.stop'; deadlineMs?: number }
  | { type: 'capacity.available' }
  | { type: 'work.available' }
  /** The backend's connection came back (every reconnect): what was on the wire may have run. */
  | { type: 'backend.reconnected' };

export type RunnerEmitted =
  | { type: 'runner.recovered'; runners: string[]; jobs: number }
  | { type: 'backend.failed'; error: string }
  | { type: 'runner.reconciled'; released: number };
