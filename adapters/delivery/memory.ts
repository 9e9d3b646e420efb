import { businessKey, isIncomplete, type CreateResult, type StoredStatus, type StoredTask, type TaskStore } from './task-store.js';

/**
 * The task store in process memory: for tests and for deliveries that need not survive a restart.
 * `TaskIndex` is also the in-memory half of the file store.
 */
export class TaskIndex<T extends StoredTask> {
  readonly tasks = new Map<number, T>();
  private readonly byBusiness = new Map<string, number>();
  /** Ids of `sending` / `failure` tasks: the dispatcher's scan reads only these. */
  private readonly incomplete = new Set<number>();
  /** Tasks by status, kept as changes happen (status() reads it without a scan). */
  readonly counts: Record<StoredStatus, number> = { sending: 0, success: 0, failure: 0, stopped: 0 };
  nextId = 1;

  findByBusiness(businessType: string, businessId: string): T | undefined {
    const id = this.byBusiness.get(businessKey(businessType, businessId));
    return id === undefined ? undefined : this.tasks.get(id);
  }

  /** Inserts or replaces (the journal replays puts through here too). */
  put(task: T): void {
    const previous = this.tasks.get(task.id);
    if (previous) {
      this.byBusiness.delete(businessKey(previous.businessType, previous.businessId));
      this.counts[previous.status]--;
    }
    this.counts[task.status]++;
    this.tasks.set(task.id, task);
    this.byBusiness.set(businessKey(task.businessType, task.businessId), task.id);
    if (isIncomplete(task.status)) this.incomplete.add(task.id);
    else this.incomplete.delete(task.id);
    if (task.id >= this.nextId) this.nextId = task.id + 1;
  }

  remove(id: number): T | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    this.tasks.delete(id);
    this.byBusiness.delete(businessKey(task.businessType, task.businessId));
    this.incomplete.delete(id);
    this.counts[task.status]--;
    return task;
  }

  dueIds(now: number, limit: number): number[] {
    const due: T[] = [];
    for (const id of this.incomplete) {
      const task = this.tasks.get(id)!;
      if (task.nextRetryTime <= now) due.push(task);
    }
    due.sort((a, b) => a.nextRetryTime - b.nextRetryTime || a.id - b.id);
    return due.slice(0, limit).map((task) => task.id);
  }

  idsToClean(status: StoredStatus, before: number, limit: number): number[] {
    const ids: number[] = [];
    for (const task of this.tasks.values()) {
      if (task.status === status && task.requestTime < before) ids.push(task.id);
      if (ids.length >= limit) break;
    }
    return ids;
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
