import { businessKey, isIncomplete, storedStatuses, type CreateResult, type StoredStatus, type StoredTask, type TaskStore } from './task-store.js';
import { TimeIndex } from './time-index.js';

/**
 * The task store in process memory: for tests and for deliveries that need not survive a restart.
 * `TaskIndex` is also the in-memory half of the file store.
 */

/** What the index filed a task under, copied at `put`: a caller changing its task in place cannot unfile it. */
interface Filed {
  id: number;
  status: StoredStatus;
  requestTime: number;
  nextRetryTime: number;
}

/** Times as the index orders them: a missing or NaN time (never due, never aged, as `<=` / `<` had it) sorts last. */
const orderable = (n: number) => (typeof n === 'number' && !Number.isNaN(n) ? n : Infinity);

export class TaskIndex<T extends StoredTask> {
  readonly tasks = new Map<number, T>();
  private readonly byBusiness = new Map<string, number>();
  private readonly filed = new Map<number, Filed>();
  /** `sending` / `failure` tasks by due time, ties by id: a scan walks only the due ones it returns. */
  private readonly due = new TimeIndex();
  /** Tasks of each status by creation time, ties by id: a clean-up page walks only the aged ones it returns. */
  private readonly aged = Object.fromEntries(storedStatuses.map((status) => [status, new TimeIndex()])) as Record<StoredStatus, TimeIndex>;
  /** Tasks by status, kept as changes happen (status() reads it without a scan). */
  readonly counts: Record<StoredStatus, number> = { sending: 0, success: 0, failure: 0, stopped: 0 };
  nextId = 1;

  findByBusiness(businessType: string, businessId: string): T | undefined {
    const id = this.byBusiness.get(businessKey(businessType, businessId));
    return id === undefined ? undefined : this.tasks.get(id);
  }

  /**
   * Inserts or replaces (the journal replays puts through here too). A replacement touches only
   * the indexes whose key changed: a retry moves the task in the due index and nowhere else.
   */
  put(task: T): void {
    const previous = this.tasks.get(task.id);
    this.tasks.set(task.id, task);
    if (task.id >= this.nextId) this.nextId = task.id + 1;
    const key = businessKey(task.businessType, task.businessId);
    if (previous) {
      const previousKey = businessKey(previous.businessType, previous.businessId);
      if (previousKey !== key) {
        this.byBusiness.delete(previousKey);
        this.byBusiness.set(key, task.id);
      }
    } else this.byBusiness.set(key, task.id);
    const was = this.filed.get(task.id);
    const now: Filed = { id: task.id, status: task.status, requestTime: orderable(task.requestTime), nextRetryTime: orderable(task.nextRetryTime) };
    this.filed.set(task.id, now);
    if (!was || was.status !== now.status || was.requestTime !== now.requestTime) {
      if (was) {
        this.counts[was.status]--;
        this.aged[was.status]?.delete(was.requestTime, was.id);
      }
      this.counts[now.status]++;
      this.aged[now.status]?.add(now.requestTime, now.id); // an unknown status (bad replayed data) is in no age index
    }
    const wasDue = was !== undefined && isIncomplete(was.status);
    const isDue = isIncomplete(now.status);
    if (wasDue && (!isDue || was.nextRetryTime !== now.nextRetryTime)) this.due.delete(was.nextRetryTime, was.id);
    if (isDue && (!wasDue || was.nextRetryTime !== now.nextRetryTime)) this.due.add(now.nextRetryTime, now.id);
  }

  remove(id: number): T | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    this.tasks.delete(id);
    this.byBusiness.delete(businessKey(task.businessType, task.businessId));
    this.unfile(id);
    return task;
  }

  /** Incomplete tasks due at `now`, earliest first (ties by id), at most `limit`: O(limit + log n). */
  dueIds(now: number, limit: number): number[] {
    const ids: number[] = [];
    if (!(limit > 0)) return ids;
    this.due.walk((time, id) => time <= now && ids.push(id) < limit);
    return ids;
  }

  /** Tasks in `status` created before `before`, oldest first (ties by id), at most `limit`: O(limit + log n). */
  idsToClean(status: StoredStatus, before: number, limit: number): number[] {
    const ids: number[] = [];
    if (!(limit > 0)) return ids;
    this.aged[status]?.walk((time, id) => time < before && ids.push(id) < limit);
    return ids;
  }

  private unfile(id: number): void {
    const filed = this.filed.get(id);
    if (!filed) return;
    this.filed.delete(id);
    this.counts[filed.status]--;
    this.aged[filed.status]?.delete(filed.requestTime, filed.id);
    if (isIncomplete(filed.status)) this.due.delete(filed.nextRetryTime, filed.id);
  }
}

export function memoryStore<T extends StoredTask = StoredTask>(): TaskStore<T> {
  const index = new TaskIndex<T>();
  return {
    async createTask(draft): Promise<CreateResult<T>> {
      const existing = index.findByBusiness(draft.businessType, draft.businessId);
      if (existing) return { task: existing, created: false };
      const task = { ...structuredClone(draft), id: index.nextId } as T;
      index.put(task);
      return { task, created: true };
    },
    async deleteTask(id) {
      index.remove(id);
    },
    async incompleteTaskIds(now, limit = 1000) {
      return index.dueIds(now, limit);
    },
    async taskIdsToClean(status, before, limit = 1000) {
      return index.idsToClean(status, before, limit);
    },
    async taskDetail(id) {
      return index.tasks.get(id);
    },
    async taskDetailByBusiness(businessType, businessId) {
      return index.findByBusiness(businessType, businessId);
    },
    async updateTask(task) {
      if (!index.tasks.has(task.id)) return false;
      index.put(structuredClone(task));
      return true;
    },
    async countByStatus() {
      return { ...index.counts };
    },
    async close() {},
  };
}
