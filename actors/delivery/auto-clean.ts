import type { StoredStatus, TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { FacadeState } from './facade-state.js';
import type { TaskRunner } from './runner.js';
import type { DeliverySettings } from './settings.js';

export interface AutoCleanDeps {
  store: TaskStore<DeliveryTask>;
  runner: TaskRunner;
  state: FacadeState;
  clean: DeliverySettings['clean'];
  now(): number;
}

/** The loop's clean-up: deletes finished tasks older than their status's age (autoClean). */
export function createAutoClean({ store, runner, state, clean, now }: AutoCleanDeps) {
  return async function cleanUp(): Promise<number> {
    if (!clean.enabled) return 0;
    const at = now();
    let deleted = 0;
    const ages: Array<[StoredStatus, number]> = [['success', clean.successAgeMs], ['failure', clean.failureAgeMs], ['stopped', clean.stoppedAgeMs]];
    const page = 1000;
    for (const [status, age] of ages) {
      if (!(age > 0)) continue;
      // Page by page until the aged tasks are gone (one page per interval fell behind any rate
      // above 1000 tasks an interval); a page of tasks all in progress here ends the pass.
      for (;;) {
        const ids = await store.taskIdsToClean(status, at - age, page);
        let removed = 0;
        for (const id of ids) {
          if (runner.has(id)) continue;
          await store.deleteTask(id);
          removed++;
        }
        deleted += removed;
        if (ids.length < page || removed === 0 || state.draining) break;
      }
    }
    return deleted;
  };
}
