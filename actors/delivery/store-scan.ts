import { businessKey, isIncomplete, type TaskStore } from '../../adapters/delivery/task-store.js';
import type { ScanResult } from '../../machines/delivery/loop.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { FacadeState } from './facade-state.js';
import type { KeyClaims } from './key-claims.js';
import type { TaskRunner } from './runner.js';

export interface StoreScanDeps {
  store: TaskStore<DeliveryTask>;
  runner: TaskRunner;
  claims: KeyClaims;
  state: FacadeState;
  maxLive: number;
  now(): number;
}

/** The loop's tick: start the due tasks of the store that are not in progress here. */
export function createStoreScan({ store, runner, claims, state, maxLive, now }: StoreScanDeps) {
  return async function scan(): Promise<ScanResult> {
    state.storeCounts = await store.countByStatus();
    const room = maxLive - runner.size;
    if (room <= 0) return { picked: 0, more: true };
    const limit = room + runner.size;
    const ids = await store.incompleteTaskIds(now(), limit);
    let picked = 0;
    for (const id of ids) {
      if (state.draining) break;
      if (runner.has(id)) continue;
      if (picked >= room) return { picked, more: true };
      const task = await store.taskDetail(id);
      if (!task || !isIncomplete(task.status) || runner.has(id) || claims.has(businessKey(task.businessType, task.businessId))) continue;
      runner.run(task);
      picked++;
    }
    return { picked, more: ids.length >= limit };
  };
}
