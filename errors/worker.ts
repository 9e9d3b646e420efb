import { StatewireError } from './base.js';

/**
 * Errors of the `worker` job queue. Class names keep the seed's (`ErrWorkerNotRegistry`,
 * `ErrLockerAlreadySet`) so users of the Go runner find them; codes are stable `SW_WORKER_…`.
 */

/** A job was declared, or pulled, for a worker name this runner never registered. */
export class ErrWorkerNotRegistry extends StatewireError {
  constructor(name: string) {
    super('SW_WORKER_NOT_REGISTERED', `no worker registered under the name "${name}"`, { name });
  }
}

/** `registerWorker` after `start()`/`run()`: the set of workers is fixed once pulling began. */
export class WorkerRegistrationClosedError extends StatewireError {
  constructor(name: string) {
    super('SW_WORKER_REGISTRATION_CLOSED', `cannot register worker "${name}" after the runner started`, { name });
  }
}

/** A lock (`redisLock`) is held by someone else. */
export class ErrLockerAlreadySet extends StatewireError {
  constructor(key: string) {
    super('SW_WORKER_LOCK_HELD', `lock "${key}" is held by another owner`, { key });
  }
}

/** Job data in the backend that is not a job (not JSON, or a field of the wrong type). */
export class JobDataError extends StatewireError {
  constructor(id: string, reason: string) {
    super('SW_WORKER_JOB_MALFORMED', `job ${id} has malformed data: ${reason}`, { id, reason });
  }
}

/** A job option or job that cannot be queued (bad queue name, bad performAt, unserialisable payload). */
export class JobOptionsError extends StatewireError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SW_WORKER_JOB_OPTIONS', message, details);
  }
}

/** A job was still running at the drain deadline: aborted and handed back to the ready queue. */
export class JobAbortedError extends StatewireError {
  constructor(id: string) {
    super('SW_WORKER_JOB_ABORTED', `job ${id} was aborted at the drain deadline`, { id });
  }
}

/** The backend failed (Redis down, a script error); the runner backs off and retries. */
export class QueueBackendError extends StatewireError {
  constructor(operation: string, cause: unknown) {
    super('SW_WORKER_BACKEND', `queue backend failed during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, { operation }, { cause });
  }
}

/** A job's perform ran longer than its worker's `timeoutMs` (or the runner's `jobTimeoutMs`): its signal is aborted with this, and the job failed. */
export class JobTimeoutError extends StatewireError {
  constructor(id: string, name: string, timeoutMs: number) {
    super('SW_WORKER_JOB_TIMEOUT', `job ${id} of worker "${name}" timed out after ${timeoutMs} ms`, { id, name, timeoutMs });
  }
}

/** `declare()` / `declareMany()` after `stop()`: the runner's queue may be closed, so the job is refused, not lost. */
export class RunnerStoppedError extends StatewireError {
  constructor(runnerId: string, jobs: number) {
    super('SW_WORKER_STOPPED', `runner ${runnerId} is stopped: ${jobs} job(s) not declared`, { runnerId, jobs });
  }
}
