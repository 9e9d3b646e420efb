import { createActor, fromPromise } from 'xstate';
import type { Logger } from '../../adapters/logger.js';
import { businessKey, isIncomplete, type StoredStatus, type TaskStore } from '../../adapters/delivery/task-store.js';
import { describeError } from '../../errors/base.js';
import { deliveryLoopMachine, type ScanResult } from '../../machines/delivery/loop.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { LiveTasks } from './live-tasks.js';
import type { DeliverySettings } from './settings.js';

export interface DispatcherLoopDeps {
  store: TaskStore<DeliveryTask>;
  live: LiveTasks;
  /** The scan keeps at most this many tasks in progress. */
  maxLive: number;
  clean: DeliverySettings['clean'];
  /** Bounds the loop's drain (attempts in flight finishing). */
  drainTimeoutMs: number;
  /** True once the facade drains: no more picking, cleaning or waking. */
  draining(): boolean;
  now(): number;
  loopIntervalMs: number | undefined;
  actorOptions: DeliverySettings['actorOptions'];
  logger: Logger;
}

/**
 * The facade's root actor, the dispatcher loop (machines/delivery/loop.ts), started, with the work
 * its chart invokes: the scan (start the store's due tasks that are not in progress here), the
 * clean-up (autoClean) and the drain. The store's counts by status are the scan's, read here.
 */
export function startDispatcherLoop(deps: DispatcherLoopDeps) {
  const { store, live, maxLive, clean, now } = deps;
  /** Tasks in the store by status, refreshed by each scan (null before the first). */
  let storeCounts: Record<StoredStatus, number> | null = null;

  async function scan(): Promise<ScanResult> {
    storeCounts = await store.countByStatus();
    const room = maxLive - live.size;
    if (room <= 0) return { picked: 0, more: true };
    const limit = room + live.size;
    const ids = await store.incompleteTaskIds(now(), limit);
    let picked = 0;
    for (const id of ids) {
      if (deps.draining()) break;
      if (live.has(id)) continue;
      if (picked >= room) return { picked, more: true };
      const task = await store.taskDetail(id);
      if (!task || !isIncomplete(task.status) || live.has(id) || live.isClaimed(businessKey(task.businessType, task.businessId))) continue;
      live.run(task);
      picked++;
    }
    return { picked, more: ids.length >= limit };
  }

  /** Deletes finished tasks older than their status's age. */
  async function cleanUp(): Promise<number> {
    if (!clean.enabled) return 0;
    const at = now();
    let deleted = 0;
    const ages: Array<[StoredStatus, number]> = [['success', clean.successAgeMs], ['failure', clean.failureAgeMs], ['stopped', clean.stoppedAgeMs]];
    const page = 1000;
    for (const [status, age] of ages) {
      if (!(age > 0)) continue;
      // Page by page until the aged tasks are gone (one page per interval fell behind any rate
      // above 1000 tasks an interval). Each page starts at the oldest again: the store's age index
      // makes that cost only the tasks in progress here, which are skipped, so a page asks for
      // that many more and a full page of them cannot stall the pass; none deleted ends it.
      for (;;) {
        const limit = page + live.size;
        const ids = await store.taskIdsToClean(status, at - age, limit);
        let removed = 0;
        for (const id of ids) {
          if (live.has(id)) continue;
          await store.deleteTask(id);
          removed++;
        }
        deleted += removed;
        if (ids.length < limit || removed === 0 || deps.draining()) break;
      }
    }
    return deleted;
  }

  const actor = createActor(
    deliveryLoopMachine.provide({
      actors: {
        scan: fromPromise<ScanResult, void>(() => scan()),
        clean: fromPromise<number, void>(() => cleanUp()),
        drain: fromPromise<void, void>(() => live.waitUntilIdle(deps.drainTimeoutMs)),
      },
    }),
    { input: { loopIntervalMs: deps.loopIntervalMs, autoCleanIntervalMs: clean.intervalMs }, ...deps.actorOptions },
  );
  actor.subscribe({ error: (error) => deps.logger.error('delivery loop failed', { error: describeError(error) }) });
  actor.start();

  return {
    actor,
    get storeCounts(): Readonly<Record<StoredStatus, number>> | null {
      return storeCounts;
    },
    /** The facade's `start`: scanning begins (not once draining: the loop is closed for good). */
    start(): void {
      if (!deps.draining()) actor.send({ type: 'loop.start' });
    },
    /** A task left this process: with a backlog in the store and room for more, scan now. */
    taskReleased(): void {
      if (!deps.draining() && actor.getSnapshot().context.backlog && live.size < maxLive / 2) actor.send({ type: 'loop.wake' });
    },
    /** The drain's first step: the loop leaves `ready`, drains, and this resolves once it is done. */
    async close(): Promise<void> {
      actor.send({ type: 'loop.close' });
      if (actor.getSnapshot().status === 'done') return;
      await new Promise<void>((resolve) => {
        const sub = actor.subscribe({ next: (s) => void (s.status === 'done' && (sub.unsubscribe(), resolve())), error: () => resolve() });
      });
    },
  };
}

export type DispatcherLoop = ReturnType<typeof startDispatcherLoop>;
