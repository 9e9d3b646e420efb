import type { StoredStatus } from '../../adapters/delivery/task-store.js';

/** The mutable state the parts of one `createAutoHttp` facade share. */
export interface FacadeState {
  /** Calls refused before anything was stored, and calls on a known business key. */
  stats: { rejected: number; duplicates: number };
  /** Tasks in the store by status, refreshed by each scan. */
  storeCounts: Record<StoredStatus, number> | null;
  /** Set by drain(): no new calls, no new scans; in-flight attempts finish. */
  draining: Promise<void> | undefined;
  /** Set by close(), after the drain: resources are being released. */
  closing: Promise<void> | undefined;
  released: boolean;
}

export function facadeState(): FacadeState {
  return { stats: { rejected: 0, duplicates: 0 }, storeCounts: null, draining: undefined, closing: undefined, released: false };
}
