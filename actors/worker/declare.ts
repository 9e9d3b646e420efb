import { randomUUID } from 'node:crypto';
import { encodeJob } from '../../adapters/worker/codec.js';
import type { JobRecord, NewJob, QueueName } from '../../adapters/worker/types.js';
import { JobOptionsError } from '../../errors/worker.js';

/** The seed's Options: WithPerformAt, WithQueue, WithRetry. */
export interface DeclareOptions {
  /** First run at this time (Date or epoch ms); absent or past: ready at once. */
  performAt?: Date | number;
  /** Default `low`. */
  queue?: QueueName;
  /** Retries after the first run; `< 0` unlimited. Default 13. */
  retry?: number;
  /** Job id. Default a random UUID. */
  id?: string;
}

export interface JobDeclaration<P = unknown> {
  name: string;
  payload?: P;
}

/** Builds the stored record of a new job, rejecting options and payloads that cannot be queued. */
export function buildJob(job: JobDeclaration, options: DeclareOptions, now: number): { record: JobRecord; entry: NewJob } {
  const queue = options.queue ?? 'low';
  if (queue !== 'high' && queue !== 'low') throw new JobOptionsError(`queue must be "high" or "low", got ${JSON.stringify(queue)}`, { queue });
  const retry = options.retry ?? 13;
  if (!Number.isInteger(retry)) throw new JobOptionsError(`retry must be an integer, got ${String(retry)}`, { retry });
  const performAt = options.performAt instanceof Date ? options.performAt.getTime() : options.performAt;
  if (performAt !== undefined && !Number.isFinite(performAt)) throw new JobOptionsError('performAt must be a valid date or epoch ms', { performAt: String(options.performAt) });
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) throw new JobOptionsError('id must be a non-empty string', { id: String(options.id) });
  const id = options.id ?? randomUUID();
  const record: JobRecord = {
    id,
    name: job.name,
    payload: job.payload ?? null,
    queue,
    retry,
    retryCount: 0,
    createdAt: now,
    performAt: performAt ?? null,
    error: null,
  };
  let data: string;
  try {
    data = encodeJob(record);
  } catch (error) {
    throw new JobOptionsError(`payload of job "${job.name}" is not JSON-serialisable: ${(error as Error).message}`, { name: job.name });
  }
  return { record, entry: { id, queue, performAt: performAt ?? now, data } };
}
