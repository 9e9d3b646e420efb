import { JobDataError } from '../../errors/worker.js';
import type { JobRecord, QueueName } from './types.js';

/**
 * Job records as stored: JSON. Decoding checks every field, so bad data fails here, with a reason.
 * `performAt` and `error` are left out while null (most jobs): ~32 B less per job in Redis, and
 * decoders of every version read a missing one as null.
 */
export function encodeJob(record: JobRecord): string {
  if (record.performAt !== null && record.error !== null) return JSON.stringify(record);
  const { performAt, error, ...rest } = record;
  return JSON.stringify({ ...rest, ...(performAt !== null ? { performAt } : {}), ...(error !== null ? { error } : {}) });
}

export function decodeJob(id: string, data: string): JobRecord {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new JobDataError(id, `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JobDataError(id, 'not an object');
  const r = value as Record<string, unknown>;
  const fail = (field: string, expected: string) => {
    throw new JobDataError(id, `field "${field}" must be ${expected}, got ${JSON.stringify(r[field]) ?? 'undefined'}`);
  };
  if (r.id !== id) fail('id', `the job id "${id}"`);
  if (typeof r.name !== 'string' || r.name === '') fail('name', 'a non-empty string');
  if (r.queue !== 'high' && r.queue !== 'low') fail('queue', '"high" or "low"');
  if (!Number.isInteger(r.retry)) fail('retry', 'an integer');
  if (!Number.isInteger(r.retryCount) || (r.retryCount as number) < 0) fail('retryCount', 'an integer >= 0');
  if (typeof r.createdAt !== 'number') fail('createdAt', 'a number');
  if (r.performAt !== null && r.performAt !== undefined && typeof r.performAt !== 'number') fail('performAt', 'a number or null');
  if (r.error !== null && r.error !== undefined && typeof r.error !== 'string') fail('error', 'a string or null');
  return {
    id,
    name: r.name as string,
    payload: r.payload,
    queue: r.queue as QueueName,
    retry: r.retry as number,
    retryCount: r.retryCount as number,
    createdAt: r.createdAt as number,
    performAt: (r.performAt as number | null | undefined) ?? null,
    error: (r.error as string | null | undefined) ?? null,
  };
}
