/**
 * The task store port of the delivery actor (the seed's DatabaseCallbackInterface).
 *
 * The store indexes a handful of fields and keeps the rest of a task as an opaque record, so it
 * knows nothing of HTTP or schedules. Every implementation passes the same contract suite
 * (tests/delivery/task-store.contract.test.ts). Tasks handed out are values: treat them as
 * read-only, and write changes back with `updateTask`.
 *
 * One dispatcher per store: the stores make every single operation atomic, but do not lease
 * tasks between processes.
 */
export type StoredStatus = 'sending' | 'success' | 'failure' | 'stopped';

export const storedStatuses: readonly StoredStatus[] = ['sending', 'success', 'failure', 'stopped'];

/** The fields a store indexes; everything else of a task is stored and returned as it is. */
export interface StoredTask {
  id: number;
  businessType: string;
  businessId: string;
  status: StoredStatus;
  /** Creation time (epoch ms): what auto-clean ages are measured from. */
  requestTime: number;
  /** When the task is next due (epoch ms), for `sending` and `failure`. */
  nextRetryTime: number;
}

export interface CreateResult<T> {
  /** The new task, or the one that already had this business key. */
  task: T;
  /** False when the business key existed: nothing was written (idempotency). */
  created: boolean;
}

export interface TaskStore<T extends StoredTask = StoredTask> {
  /**
   * Stores a new task under a fresh id, durably before it resolves, unless a task with the same
   * (businessType, businessId) exists: then that one is returned and nothing is written.
   */
  createTask(draft: Omit<T, 'id'>): Promise<CreateResult<T>>;
  /** Removes a task (no-op when absent). */
  deleteTask(id: number): Promise<void>;
  /**
   * Ids of `sending` / `failure` tasks due at `now`, earliest first, at most `limit` (default 1000).
   * Equal due times come in one fixed order per store (memory and file: by id; Redis: by id as
   * text, a zset's member order), the same on every call. Costs O(limit + log n), not O(n): the
   * dispatcher calls it every loop interval and again at once while a backlog remains.
   */
  incompleteTaskIds(now: number, limit?: number): Promise<number[]>;
  /**
   * Ids of tasks in `status` created before `before`, oldest first (ties as above), at most
   * `limit` (default 1000); O(limit + log n), so auto-clean may ask again from the oldest per page.
   */
  taskIdsToClean(status: StoredStatus, before: number, limit?: number): Promise<number[]>;
  taskDetail(id: number): Promise<T | undefined>;
  taskDetailByBusiness(businessType: string, businessId: string): Promise<T | undefined>;
  /** Replaces a task, durably. Resolves false (and writes nothing) when the task no longer exists. */
  updateTask(task: T): Promise<boolean>;
  /** How many tasks are in each status now. */
  countByStatus(): Promise<Record<StoredStatus, number>>;
  /** Releases what the store opened itself (files); a client passed in stays the caller's. */
  close(): Promise<void>;
}

export const isIncomplete = (status: StoredStatus) => status === 'sending' || status === 'failure';

/** The key of the business index. A NUL cannot appear in either part of a key given as text. */
export const businessKey = (businessType: string, businessId: string) => `${businessType}\u0000${businessId}`;
