import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';

export interface LifecycleDeps {
  /** Closes the dispatcher loop; resolves once its drain (attempts in flight finishing) is done. */
  closeLoop(): Promise<void>;
  /** Lets every task in progress go (its state is in the store). */
  releaseTasks(): void;
  /** Wakes the first attempts' store backoffs (they then give up). */
  wakeSleepers(): void;
  http: { close(): Promise<void> };
  store: TaskStore<DeliveryTask>;
  ownsStore: boolean;
}

/**
 * The facade's `drain` and `close`, each run once however often it is called, and the two flags
 * the other parts read: `draining` (no new calls, scans or kept tasks) and `released` (a store
 * write that keeps failing is given up).
 */
export function createLifecycle(deps: LifecycleDeps) {
  let drained: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  let released = false;

  /**
   * The Facade's drain: no new calls or scans (the loop leaves `ready`), attempts in flight finish
   * and record their outcome (bounded by drainTimeoutMs). Waiting tasks stay in the store.
   */
  function drain(): Promise<void> {
    drained ??= deps.closeLoop();
    return drained;
  }

  /** Drains, then releases everything: task actors, sleeping backoffs, connections, an owned store. */
  function close(): Promise<void> {
    closed ??= (async () => {
      await drain();
      released = true;
      deps.releaseTasks();
      deps.wakeSleepers();
      await deps.http.close();
      if (deps.ownsStore) await deps.store.close();
    })();
    return closed;
  }

  return {
    get draining(): boolean {
      return drained !== undefined;
    },
    get released(): boolean {
      return released;
    },
    drain,
    close,
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
