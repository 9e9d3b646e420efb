import { decodeJob, encodeJob } from '../../adapters/worker/codec.js';
import type { JobRecord, QueueBackend } from '../../adapters/worker/types.js';
import { JobDataError } from '../../errors/worker.js';

export interface DeadJobView {
  id: string;
  error: string | null;
  diedAt: number;
  /** The decoded job, or null when its data is malformed (then `raw` holds it). */
  job: JobRecord | null;
  raw: string | null;
}

/** Dead jobs, decoded where their data allows (malformed ones keep their raw data). */
export async function listDead(backend: QueueBackend, offset: number, limit: number): Promise<DeadJobView[]> {
  const list = await backend.dead(offset, limit);
  return list.map((entry) => {
    let job: JobRecord | null = null;
    try {
      job = entry.data === null ? null : decodeJob(entry.id, entry.data);
    } catch (error) {
      if (!(error instanceof JobDataError)) throw error;
    }
    return { id: entry.id, error: entry.error, diedAt: entry.diedAt, job, raw: job ? null : entry.data };
  });
}

/** A dead job back to ready with its retries reset; malformed data goes back as it is (and dies again, clearly). */
export async function redriveJob(backend: QueueBackend, id: string): Promise<boolean> {
  const data = await backend.get(id);
  let record: JobRecord | null = null;
  try {
    record = data === null ? null : decodeJob(id, data);
  } catch {
    record = null;
  }
  if (!record) return backend.redrive(id, 'low');
  return backend.redrive(id, record.queue, encodeJob({ ...record, retryCount: 0 }));
}
