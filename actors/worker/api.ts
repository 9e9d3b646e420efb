import type { JobRecord, QueueBackend, QueueName } from '../../adapters/worker/types.js';
import type { RunnerInput } from '../../machines/worker/runner.js';
import type { Facade, HostEnv } from '../host.js';
import type { DeadJobView } from './dead.js';
import type { DeclareOptions, JobDeclaration } from './declare.js';
import type { Worker } from './slots.js';

/** The runner's host-facing types: its options, its status (the seed's RunnerStatus) and its API. */
export interface RunnerOptions extends RunnerInput, Partial<Omit<HostEnv, 'id'>> {
  /** Where jobs live. Default a private `memoryQueue()` (embedded; closed by `stop()`). */
  backend?: QueueBackend;
  /** This runner's id in the backend (alive set, working set). Default a random UUID. */
  runnerId?: string;
  /** The host's id for this actor (HostEnv). */
  id?: string;
  /** High jobs taken per low job while both queues have jobs. Default 4. */
  highWeight?: number;
  /** Delay before a failed job runs again. Default `jobRetryDelayMs` (retryCount⁴ s + 15 s + jitter). */
  retryDelayMs?: (retryCount: number) => number;
  /** Timeout of every worker registered without its own `timeoutMs`. Default none (unlimited). */
  jobTimeoutMs?: number;
}

export interface RunnerStatus {
  state: unknown;
  runnerId: string;
  /** The seed's RunnerStatus. */
  execCount: number;
  failCount: number;
  deadCount: number;
  /** Dead jobs this runner's acknowledgements deleted by the backend's retention policy. */
  deadTrimmed: number;
  malformedCount: number;
  /** Jobs failed by their timeout (`JobTimeoutError`). */
  timeoutCount: number;
  /** Performs in a slot, overdue ones included. */
  running: number;
  /** Performs past their timeout that have not settled yet: their jobs failed, their slots stay taken. */
  overdue: number;
  held: number;
  pendingAcks: number;
  recoveredJobs: number;
  /** Jobs this runner found in its working set without holding them (a pull whose reply was lost) and handed back. */
  reconciledJobs: number;
  /** Reconnects of the backend's connection (0 for a backend without diagnostics, e.g. memory). */
  backendReconnects: number;
  /** Failed wake-up subscriptions: idle runners poll every idlePollMs instead. */
  subscriptionFailures: number;
  lastError: string | null;
}


export interface Runner extends Facade {
  readonly runnerId: string;
  readonly backend: QueueBackend;
  registerWorker<P>(worker: Worker<P>): void;
  declare<P>(job: JobDeclaration<P>, options?: DeclareOptions): Promise<JobRecord>;
  /** Many jobs in one backend step (one script call per 1000 jobs on Redis). */
  declareMany(jobs: ReadonlyArray<JobDeclaration & { options?: DeclareOptions }>): Promise<JobRecord[]>;
  /** Starts and resolves when stopped; aborting `signal` stops (drains) it. */
  run(signal?: AbortSignal): Promise<void>;
  stop(options?: { deadlineMs?: number }): Promise<void>;
  queueLength(queue: QueueName | 'waiting' | 'dead'): Promise<number>;
  status(): RunnerStatus;
  dead(offset?: number, limit?: number): Promise<DeadJobView[]>;
  /** A dead job back to ready with its retries reset; false when it was not dead. */
  redrive(id: string): Promise<boolean>;
}
