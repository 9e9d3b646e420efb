import { businessKey, isIncomplete, type TaskStore } from '../../adapters/delivery/task-store.js';
import { DeliveryClosedError } from '../../errors/delivery.js';
import { rearmed, stopped } from '../../machines/delivery/outcome.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { FacadeState } from './facade-state.js';
import type { KeyClaims } from './key-claims.js';
import type { TaskRunner } from './runner.js';

export interface TaskCommandDeps {
  store: TaskStore<DeliveryTask>;
  runner: TaskRunner;
  claims: KeyClaims;
  state: FacadeState;
}

/**
 * `stop` and `retry` of one task: sent to the task if it is in progress here, else applied to
 * the stored task with its key claimed against the scan.
 */
export function createTaskCommands({ store, runner, claims, state }: TaskCommandDeps) {
  /** A task not in progress here, read from the store with its key claimed against the scan. */
  async function outside<T>(businessType: string, businessId: string, body: (task: DeliveryTask) => Promise<T>): Promise<T | undefined> {
    const key = businessKey(businessType, businessId);
    claims.claim(key);
    try {
      const task = await store.taskDetailByBusiness(businessType, businessId);
      return task && (await body(task));
    } finally {
      claims.unclaim(key);
    }
  }

  async function stopTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined> {
    const key = businessKey(businessType, businessId);
    if (runner.command(key, 'stop')) return runner.current(key);
    return outside(businessType, businessId, async (task) => {
      if (!isIncomplete(task.status)) return task;
      const halted = stopped(task);
      if (await store.updateTask(halted)) runner.recordedChange(halted, null);
      return halted;
    });
  }

  async function retryTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined> {
    if (state.draining) throw new DeliveryClosedError();
    const key = businessKey(businessType, businessId);
    if (runner.command(key, 'retry')) return runner.current(key);
    return outside(businessType, businessId, async (task) => {
      if (task.status === 'success') return task;
      runner.run(rearmed(task));
      return runner.current(key) ?? task;
    });
  }

  return { stopTask, retryTask };
}
