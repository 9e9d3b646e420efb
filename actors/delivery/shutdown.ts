import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { DispatcherLoop } from './dispatcher-loop.js';
import type { FacadeState } from './facade-state.js';
import type { TaskRunner } from './runner.js';

/** The loop's drain: waits (bounded) until no attempt is in flight and no task is being recorded. */
export async function waitUntilIdle(runner: TaskRunner, drainTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + drainTimeoutMs;
  for (;;) {
    runner.releaseWaiting();
    if (!runner.busy() || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface ShutdownDeps {
  loop: DispatcherLoop;
  runner: TaskRunner;
  state: FacadeState;
  /** Wakes the first attempts' store backoffs (they then give up). */
  wakeSleepers(): void;
  http: { close(): Promise<void> };
  store: TaskStore<DeliveryTask>;
  ownsStore: boolean;
}

/** The facade's `drain` and `close`, each run once however often it is called. */
export function createShutdown({ loop, runner, state, wakeSleepers, http, store, ownsStore }: ShutdownDeps) {
  /**
   * The Facade's drain: no new calls or scans (the loop leaves `ready`), attempts in flight finish
   * and record their outcome (bounded by drainTimeoutMs). Waiting tasks stay in the store.
   */
  function drain(): Promise<void> {
    state.draining ??= (async () => {
      loop.send({ type: 'loop.close' });
      if (loop.getSnapshot().status === 'done') return;
      await new Promise<void>((resolve) => {
        const sub = loop.subscribe({ next: (s) => void (s.status === 'done' && (sub.unsubscribe(), resolve())), error: () => resolve() });
      });
    })();
    return state.draining;
  }

  /** Drains, then releases everything: task actors, sleeping backoffs, connections, an owned store. */
  async function close(): Promise<void> {
    state.closing ??= (async () => {
      await drain();
      state.released = true;
      runner.releaseAll();
      wakeSleepers();
      await http.close();
      if (ownsStore) await store.close();
    })();
    return state.closing;
  }

  return { drain, close };
}
