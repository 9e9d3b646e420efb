import { Journal, type JournalOptions, type JournalStats } from '../journal/journal.js';
import { TaskIndex } from './memory.js';
import type { CreateResult, StoredTask, TaskStore } from './task-store.js';

/**
 * The embedded default task store: the tasks live in memory and every change is appended to a
 * checksummed journal in `dir`, on disk before the call resolves (group commit: concurrent
 * changes share one durable write). It survives a restart; a torn write costs at most its own record.
 * One process per directory.
 */
type Record<T> = { put: T } | { del: number } | { next: number };

/** What the index keeps of a task: the indexed fields, and the task as its JSON (parsed on read). */
type Entry = StoredTask & { json: string };

const entryOf = (task: StoredTask, json: string): Entry => ({
  id: task.id,
  businessType: task.businessType,
  businessId: task.businessId,
  status: task.status,
  requestTime: task.requestTime,
  nextRetryTime: task.nextRetryTime,
  json,
});

export interface FileTaskStore<T extends StoredTask> extends TaskStore<T> {
  /** Group-commit and replay counters. */
  stats(): JournalStats;
}

export function fileStore<T extends StoredTask = StoredTask>(dir: string, options: JournalOptions = {}): FileTaskStore<T> {
  // Tasks are kept as the JSON that went to disk: written once per change, parsed only when read
  // (the hot path writes and never reads), and no caller ever holds the store's copy.
  const index = new TaskIndex<Entry>();
  const journal = new Journal<Record<T>>(
    dir,
    function* () {
      yield JSON.stringify({ next: index.nextId });
      for (const entry of index.tasks.values()) yield `{"put":${entry.json}}`;
    },
    options,
  );
  const opened = journal.open((record) => {
    if ('put' in record) index.put(entryOf(record.put, JSON.stringify(record.put)));
    else if ('del' in record) index.remove(record.del);
    else if (record.next > index.nextId) index.nextId = record.next;
  });
  let closed = false;
  let isOpen = false;
  opened.then(() => (isOpen = true), () => undefined);
  /** Refuses calls after close; `undefined` once the journal is replayed (no extra await per call). */
  const ready = (): Promise<void> | undefined => {
    if (closed) throw new Error(`file task store ${dir} is closed`);
    return isOpen ? undefined : opened;
  };
  const read = (entry: Entry | undefined) => (entry ? (JSON.parse(entry.json) as T) : undefined);

  /** Applies at once (so reads and the business index see it), rolls back if the write fails. */
  async function commit(json: string, undo: () => void): Promise<void> {
    try {
      await journal.appendJson(json);
    } catch (error) {
      undo();
      throw error;
    }
  }

  /** Creations not yet on disk, by id: a duplicate waits for its original (which may still fail). */
  const creating = new Map<number, Promise<void>>();

  async function createTask(draft: Omit<T, 'id'>): Promise<CreateResult<T>> {
    const replaying = ready();
    if (replaying) await replaying;
    const existing = index.findByBusiness(draft.businessType, draft.businessId);
    if (existing) {
      const pending = creating.get(existing.id);
      if (!pending) return { task: read(existing)!, created: false };
      // Not "it exists" before it is durable: if the original's write fails, it never existed.
      const landed = await pending.then(() => true, () => false);
      return landed ? { task: read(index.tasks.get(existing.id) ?? existing)!, created: false } : createTask(draft);
    }
    // The result shares nested objects with the draft; the store's own copy is the JSON.
    const task = { ...draft, id: index.nextId } as T;
    const json = JSON.stringify(task);
    index.put(entryOf(task, json));
    const written = commit(`{"put":${json}}`, () => index.remove(task.id));
    creating.set(task.id, written);
    try {
      await written;
    } finally {
      creating.delete(task.id);
    }
    return { task, created: true };
  }

  return {
    createTask,
    async deleteTask(id) {
      const replaying = ready();
      if (replaying) await replaying;
      const removed = index.remove(id);
      if (removed) await commit(`{"del":${id}}`, () => index.put(removed));
    },
    async incompleteTaskIds(now, limit = 1000) {
      const replaying = ready();
      if (replaying) await replaying;
      return index.dueIds(now, limit);
    },
    async taskIdsToClean(status, before, limit = 1000) {
      const replaying = ready();
      if (replaying) await replaying;
      return index.idsToClean(status, before, limit);
    },
    async taskDetail(id) {
      const replaying = ready();
      if (replaying) await replaying;
      return read(index.tasks.get(id));
    },
    async taskDetailByBusiness(businessType, businessId) {
      const replaying = ready();
      if (replaying) await replaying;
      return read(index.findByBusiness(businessType, businessId));
    },
    async updateTask(task) {
      const replaying = ready();
      if (replaying) await replaying;
      const previous = index.tasks.get(task.id);
      if (!previous) return false;
      const json = JSON.stringify(task);
      const entry = entryOf(task, json);
      index.put(entry);
      await commit(`{"put":${json}}`, () => {
        if (index.tasks.get(task.id) === entry) index.put(previous);
      });
      return true;
    },
    async countByStatus() {
      const replaying = ready();
      if (replaying) await replaying;
      return { ...index.counts };
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
