import { join } from 'node:path';
import { createActor, fromPromise } from 'xstate';
import { createHttpClient } from '../adapters/http/request.js';
import { silentLogger } from '../adapters/logger.js';
import { fileStore } from '../adapters/task-store/file.js';
import { businessKey, isIncomplete, type StoredStatus, type TaskStore } from '../adapters/task-store/task-store.js';
import { describeError } from '../errors/base.js';
import { DeliveryClosedError, TaskStoreError } from '../errors/delivery.js';
import { deliveryLoopMachine, type ScanResult } from '../machines/delivery-loop.js';
import { rearmed, stopped } from '../machines/delivery-outcome.js';
import type { DeliveryTask } from '../machines/delivery-task.js';
import { defaultRetrySchedule } from '../machines/schedule.js';
import { validateAutoHttpOptions, type AutoHttpOptions } from './delivery/options.js';
import { draftTask, formBody, jsonBody, type RequestSpec } from './delivery/requests.js';
import { TaskRunner } from './delivery/runner.js';
import { Semaphore } from './delivery/semaphore.js';
import { attemptSteps, taskLogic } from './delivery/task-logic.js';
import type { AutoHttp, DeliveryResult } from './delivery/types.js';

export type { AutoCleanOptions, AutoHttpOptions, DeliveryCallbacks, RequestOptions } from './delivery/options.js';
export type { RequestSpec } from './delivery/requests.js';
export type { AutoHttp, DeliveryResult, DeliveryStatus } from './delivery/types.js';

/**
 * `createAutoHttp`: durable outbound HTTP (the seed's autohttp). A call stores its task (on disk,
 * for the file store) before the first byte is sent, makes the first attempt at once and answers
 * with it; failed attempts are retried on the task's schedule — by the task's chart actor while
 * the wait is short (≤ holdMs), by the dispatcher loop from the store otherwise and after a restart.
 *
 * The root actor (`actor`) is the dispatcher loop (machines/delivery-loop.ts). A task's first
 * attempt runs on a fast path with the chart's own decisions (delivery/first-attempt.ts); from
 * its first failure on, the task is an actor of machines/delivery.ts on the host's clock and
 * inspector.
 */
export function createAutoHttp(options: AutoHttpOptions = {}): AutoHttp {
  validateAutoHttpOptions(options);
  const logger = options.logger ?? silentLogger;
  const ownsStore = options.store === undefined;
  const store: TaskStore<DeliveryTask> = options.store ?? fileStore<DeliveryTask>(options.storeDir ?? join(process.cwd(), '.statewire', 'delivery'));
  const maxConcurrent = options.maxConcurrent ?? 64;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? requestTimeoutMs + 1000;
  const retry = options.retry ?? defaultRetrySchedule;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const clean = { enabled: false, successAgeMs: 0, failureAgeMs: 0, stoppedAgeMs: 0, intervalMs: 3_600_000, ...options.autoClean };
  const taskInput = { taskAddIfSuccess: options.taskAddIfSuccess ?? false, holdMs: options.holdMs ?? 60_000 };
  /** The scan keeps at most this many tasks in progress (queued attempts wait for a slot). */
  const maxLive = maxConcurrent * 4;
  // Only the keys the host gave: XState spreads options over its defaults, so `clock: undefined`
  // would remove the default clock.
  const actorOptions = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  };
  const now = () => (options.clock as { now?: () => number } | undefined)?.now?.() ?? Date.now();
  /** Store backoffs of first attempts; close() wakes them (they then give up) so no timer outlives it. */
  const sleeping = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const clock = options.clock ?? globalThis;
      const wake = () => {
        sleeping.delete(wake);
        clock.clearTimeout(handle);
        resolve();
      };
      const handle = clock.setTimeout(wake, ms);
      sleeping.add(wake);
    });

  const http = createHttpClient({ connections: maxConcurrent, connectTimeoutMs: requestTimeoutMs, ...options.http });
  const slots = new Semaphore(maxConcurrent);
  const callbacks = options.callbacks ?? {};
  const steps = attemptSteps({ store, http: http.send, slots, callbacks, requestTimeoutMs, maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024 });
  const stats = { rejected: 0, duplicates: 0 };
  /**
   * Business keys being created, stopped or retried outside the runner: the scan leaves them
   * alone. Counted: concurrent calls on one key each hold a claim until they are done.
   */
  const claimed = new Map<string, number>();
  const claim = (key: string) => claimed.set(key, (claimed.get(key) ?? 0) + 1);
  const unclaim = (key: string) => {
    const held = (claimed.get(key) ?? 1) - 1;
    if (held > 0) claimed.set(key, held);
    else claimed.delete(key);
  };
  /** Tasks in the store by status, refreshed by each scan. */
  let storeCounts: Record<StoredStatus, number> | null = null;
  /** Set by drain(): no new calls, no new scans; in-flight attempts finish. */
  let draining: Promise<void> | undefined;
  /** Set by close(), after the drain: resources are being released. */
  let closing: Promise<void> | undefined;
  let released = false;

  const runner = new TaskRunner({
    logic: taskLogic(steps),
    fast: { steps, now, sleep, ...taskInput, closed: () => released },
    actorOptions,
    taskInput,
    callbacks,
    logger,
    maxLive,
    draining: () => draining !== undefined,
    onRelease: () => {
      if (!draining && loop.getSnapshot().context.backlog && runner.size < maxLive / 2) loop.send({ type: 'loop.wake' });
    },
  });

  const loop = createActor(
    deliveryLoopMachine.provide({
      actors: {
        scan: fromPromise<ScanResult, void>(() => scan()),
        clean: fromPromise<number, void>(() => cleanUp()),
        drain: fromPromise<void, void>(() => drain()),
      },
    }),
    { input: { loopIntervalMs: options.loopIntervalMs, autoCleanIntervalMs: clean.intervalMs }, ...actorOptions },
  );
  loop.subscribe({ error: (error) => logger.error('delivery loop failed', { error: describeError(error) }) });
  loop.start();

  /** `describe` builds the call's spec; whatever it or the checks throw is a rejected call. */
  async function submit(describe: () => RequestSpec): Promise<DeliveryResult> {
    if (draining) throw new DeliveryClosedError();
    let draft;
    try {
      const spec = describe();
      draft = draftTask(spec, { retry: spec.retry ?? retry, maxBodyBytes, now: now() });
    } catch (error) {
      stats.rejected++;
      throw error;
    }
    const key = businessKey(draft.businessType, draft.businessId);
    claim(key);
    let result;
    try {
      result = await store.createTask(draft);
    } catch (error) {
      throw new TaskStoreError('createTask', error);
    } finally {
      unclaim(key);
    }
    const { task, created } = result;
    if (!created) {
      stats.duplicates++;
      const known = runner.current(key) ?? task;
      return { taskId: known.id, created: false, status: known.status, statusCode: known.lastStatusCode, body: '', error: known.lastError || null, errorCode: known.lastErrorCode || null };
    }
    if (draining) throw new DeliveryClosedError(); // stored: the next start delivers it
    return new Promise<DeliveryResult>((resolve) => runner.first(task, resolve));
  }

  /** The loop's tick: start the due tasks of the store that are not in progress here. */
  async function scan(): Promise<ScanResult> {
    storeCounts = await store.countByStatus();
    const room = maxLive - runner.size;
    if (room <= 0) return { picked: 0, more: true };
    const limit = room + runner.size;
    const ids = await store.incompleteTaskIds(now(), limit);
    let picked = 0;
    for (const id of ids) {
      if (draining) break;
      if (runner.has(id)) continue;
      if (picked >= room) return { picked, more: true };
      const task = await store.taskDetail(id);
      if (!task || !isIncomplete(task.status) || runner.has(id) || claimed.has(businessKey(task.businessType, task.businessId))) continue;
      runner.run(task);
      picked++;
    }
    return { picked, more: ids.length >= limit };
  }

  async function cleanUp(): Promise<number> {
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
        if (ids.length < page || removed === 0 || draining) break;
      }
    }
    return deleted;
  }

  /** Waits (bounded) until no attempt is in flight and no task is being recorded. */
  async function drain(): Promise<void> {
    const deadline = Date.now() + drainTimeoutMs;
    for (;;) {
      runner.releaseWaiting();
      if (!runner.busy() || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** A task not in progress here, read from the store with its key claimed against the scan. */
  async function outside<T>(businessType: string, businessId: string, body: (task: DeliveryTask) => Promise<T>): Promise<T | undefined> {
    const key = businessKey(businessType, businessId);
    claim(key);
    try {
      const task = await store.taskDetailByBusiness(businessType, businessId);
      return task && (await body(task));
    } finally {
      unclaim(key);
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
    if (draining) throw new DeliveryClosedError();
    const key = businessKey(businessType, businessId);
    if (runner.command(key, 'retry')) return runner.current(key);
    return outside(businessType, businessId, async (task) => {
      if (task.status === 'success') return task;
      runner.run(rearmed(task));
      return runner.current(key) ?? task;
    });
  }

  /**
   * The Facade's drain: no new calls or scans (the loop leaves `ready`), attempts in flight finish
   * and record their outcome (bounded by drainTimeoutMs). Waiting tasks stay in the store.
   */
  function drainAll(): Promise<void> {
    draining ??= (async () => {
      loop.send({ type: 'loop.close' });
      if (loop.getSnapshot().status === 'done') return;
      await new Promise<void>((resolve) => {
        const sub = loop.subscribe({ next: (s) => void (s.status === 'done' && (sub.unsubscribe(), resolve())), error: () => resolve() });
      });
    })();
    return draining;
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      await drainAll();
      released = true;
      runner.releaseAll();
      for (const wake of [...sleeping]) wake();
      await http.close();
      if (ownsStore) await store.close();
    })();
    return closing;
  }

  return {
    actor: loop,
    start() {
      if (!draining) loop.send({ type: 'loop.start' });
    },
    drain: drainAll,
    stop: ((businessType?: string, businessId?: string) =>
      businessType === undefined ? close() : stopTask(businessType, businessId ?? '')) as AutoHttp['stop'],
    retry: retryTask,
    close,
    get: (businessType, businessId, url, headers, opts) => submit(() => ({ businessType, businessId, url, method: 'GET', headers, retry: opts?.retry })),
    postJson: (businessType, businessId, url, body, headers, opts) =>
      submit(() => ({ businessType, businessId, url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: jsonBody(body), retry: opts?.retry })),
    postForm: (businessType, businessId, url, body, headers, opts) =>
      submit(() => ({
        businessType, businessId, url, method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: formBody(body),
        retry: opts?.retry,
      })),
    request: (spec) => submit(() => spec),
    task: async (businessType, businessId) => runner.current(businessKey(businessType, businessId)) ?? store.taskDetailByBusiness(businessType, businessId),
    status: () => {
      const { value, context } = loop.getSnapshot();
      return {
        state: value,
        live: runner.size,
        inFlight: slots.inUse,
        tasks: storeCounts && { ...storeCounts },
        recorded: { ...runner.recorded },
        attempts: runner.stats.attempts,
        rejected: stats.rejected,
        duplicates: stats.duplicates,
        callbackErrors: runner.stats.callbackErrors,
        loop: { scans: context.scans, picked: context.picked, cleaned: context.cleaned, errors: context.errors },
        lastError: runner.stats.lastError ?? context.lastError,
      };
    },
    counters: () => ({
      delivery_live: runner.size,
      delivery_in_flight: slots.inUse,
      delivery_tasks_sending: storeCounts?.sending ?? 0,
      delivery_tasks_failure: storeCounts?.failure ?? 0,
      delivery_tasks_stopped: storeCounts?.stopped ?? 0,
      delivery_tasks_success: storeCounts?.success ?? 0,
      delivery_attempts_total: runner.stats.attempts,
      delivery_success_total: runner.recorded.success,
      delivery_failure_total: runner.recorded.failure,
      delivery_stopped_total: runner.recorded.stopped,
      delivery_rejected_total: stats.rejected,
      delivery_duplicates_total: stats.duplicates,
      delivery_callback_errors_total: runner.stats.callbackErrors,
      delivery_loop_errors_total: loop.getSnapshot().context.errors,
    }),
  };
}
