import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredStatus, StoredTask } from '../../../adapters/delivery/task-store.js';

/** A task draft as the store sees it: indexed fields plus an opaque payload. */
export interface SampleTask extends StoredTask {
  url: string;
  headers: Record<string, string>;
  ladder: number[];
}

export function draft(businessId: string, overrides: Partial<Omit<SampleTask, 'id'>> = {}): Omit<SampleTask, 'id'> {
  return {
    businessType: 'order',
    businessId,
    status: 'sending' as StoredStatus,
    requestTime: 1000,
    nextRetryTime: 1000,
    url: 'http://127.0.0.1:1/hook',
    headers: { 'x-sign': 'abc' },
    ladder: [],
    ...overrides,
  };
}

/** A fresh directory under the OS temp dir, and its removal. */
export async function tempDir(prefix = 'sw-delivery-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
