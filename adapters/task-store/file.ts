import { Journal, type JournalOptions, type JournalStats } from './journal.js';
import { TaskIndex } from './memory.js';
import type { CreateResult, StoredTask, TaskStore } from './task-store.js';

/**
 * The embedded default task store: the tasks live in memory and every change is appended to a
 * checksummed journal in `dir` and synced before the call resolves (group commit: concurrent
 * changes share one fdatasync). It survives a restart; a torn write costs at most its own record.
 * One process per directory.
 */
type Record<T> = { put: T } | { del: number } | { next: number };

export interface FileTaskStore<T extends StoredTask> extends TaskStore<T> {
  /** Group-commit and replay counters. */
  stats(): JournalStats;
}

export function fileStore<T extends StoredTask = StoredTask>(dir: string, options: JournalOptions = {}): FileTaskStore<T> {
  const index = new TaskIndex<T>();
  const journal = new Journal<Record<T>>(
    dir,
    function* () {
      yield { next: index.nextId };
      for (const task of index.tasks.values()) yield { put: task };
    },
    options,
  );
  const opened = journal.open((record) => {
    if ('put' in record) index.put(record.put);
    else if ('del' in record) index.remove(record.del);
    else if (record.next > index.nextId) index.nextId = record.next;
  });
  let closed = false;
  const ready = async () => {
    if (closed) throw new Error(`file task store ${dir} is closed`);
    await opened;
  };

  /** Applies at once (so reads and the business index see it), rolls back if the write fails. */
  async function commit(json: string, undo: () => void): Promise<void> {
    try {
      await journal.appendJson(json);
    } catch (error) {
      undo();
      throw error;
    }
  }

  /**
   * The task as it goes to disk, and the store's own copy of it: parsed back from that very JSON,
   * so memory holds exactly what a replay would (and nothing the caller still references).
   */
  function serialise(task: T): { json: string; copy: T } {
    const json = JSON.stringify(task);
    return { json: `{"put":${json}}`, copy: JSON.parse(json) as T };
  }

  return {
    async createTask(draft): Promise<CreateResult<T>> {
      await ready();
      const existing = index.findByBusiness(draft.businessType, draft.businessId);
      if (existing) return { task: existing, created: false };
      const { json, copy } = serialise({ ...draft, id: index.nextId } as T);
      index.put(copy);
      await commit(json, () => index.remove(copy.id));
      return { task: copy, created: true };
    },
    async deleteTask(id) {
      await ready();
      const removed = index.remove(id);
      if (removed) await commit(`{"del":${id}}`, () => index.put(removed));
    },
    async incompleteTaskIds(now, limit = 1000) {
      await ready();
      return index.dueIds(now, limit);
    },
    async taskIdsToClean(status, before, limit = 1000) {
      await ready();
      return index.idsToClean(status, before, limit);
    },
    async taskDetail(id) {
      await ready();
      return index.tasks.get(id);
    },
    async taskDetailByBusiness(businessType, businessId) {
      await ready();
      return index.findByBusiness(businessType, businessId);
    },
    async updateTask(task) {
      await ready();
      const previous = index.tasks.get(task.id);
      if (!previous) return false;
      const { json, copy } = serialise(task);
      index.put(copy);
      await commit(json, () => {
        if (index.tasks.get(task.id) === copy) index.put(previous);
      });
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      await opened.catch(() => undefined);
      await journal.close();
    },
    stats: () => ({ ...journal.stats }),
  };
}
