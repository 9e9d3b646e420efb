import { join } from 'node:path';
import { createActor, fromPromise, type Actor } from 'xstate';
import { createHttpClient } from '../adapters/http/request.js';
import { silentLogger } from '../adapters/logger.js';
import { fileStore } from '../adapters/task-store/file.js';
import { businessKey, isIncomplete, type StoredStatus, type TaskStore } from '../adapters/task-store/task-store.js';
import { describeError } from '../errors/base.js';
import { DeliveryClosedError, TaskStoreError } from '../errors/delivery.js';
import { deliveryLoopMachine, type ScanResult } from '../machines/delivery-loop.js';
import type { DeliveryEmitted } from '../machines/delivery.js';
import type { DeliveryTask, TaskStatus } from '../machines/delivery-task.js';
import { defaultRetrySchedule } from '../machines/schedule.js';
import type { Facade } from './facade.js';
import type { AutoHttpOptions, RequestOptions } from './delivery/options.js';
import { draftTask, formBody, jsonBody, type RequestSpec } from './delivery/requests.js';
import { Semaphore } from './delivery/semaphore.js';
import { firstAttempt, type FirstAttemptControl, type FirstAttemptOutcome } from './delivery/first-attempt.js';
import { attemptSteps, taskLogic, type TaskLogic } from './delivery/task-logic.js';
import { rearmed, stopped as stoppedTask, type DeliveryCommand } from '../machines/delivery-outcome.js';

export type { AutoCleanOptions, AutoHttpOptions, DeliveryCallbacks, RequestOptions } from './delivery/options.js';
export type { RequestSpec } from './delivery/requests.js';

/**
 * `createAutoHttp`: durable outbound HTTP (the seed's autohttp). A call stores its task (durably)
 * before the first byte is sent, makes the first attempt at once and answers with it; failed
 * attempts are retried on the task's schedule — by the task's own actor while the wait is short
 * (≤ holdMs), by the dispatcher loop from the store otherwise and after a restart.
 *
 * The root actor (`actor`) is the dispatcher loop (machines/delivery-loop.ts); each task in
 * progress is an actor of machines/delivery.ts on the same clock and inspector.
 */
export interface DeliveryResult {
  taskId: number;
  /** False: the business key existed, nothing was sent; the fields describe the existing task. */
  created: boolean;
  status: TaskStatus;
  /** Status code of the first attempt (0: no answer, e.g. refused, timed out, or not created). */
  statusCode: number;
  body: string;
  /** Why the first attempt failed, if it did. */
  error: string | null;
}

export interface DeliveryStatus {
  state: unknown;
  /** Tasks with an actor in this process, and how many requests are in flight. */
  live: number;
  inFlight: number;
  /** Recorded status changes in this process, by status. */
  recorded: Record<StoredStatus, number>;
  attempts: number;
  /** Calls refused before anything was stored (bad URL, method, body, key). */
  rejected: number;
  duplicates: number;
  callbackErrors: number;
  loop: { scans: number; picked: number; cleaned: number; errors: number };
  lastError: string | null;
}

export interface AutoHttp extends Facade {
  readonly actor: Actor<typeof deliveryLoopMachine>;
  get(businessType: string, businessId: string, url: string, headers?: Record<string, string>, options?: RequestOptions): Promise<DeliveryResult>;
  postJson(businessType: string, businessId: string, url: string, body: unknown, headers?: Record<string, string>, options?: RequestOptions): Promise<DeliveryResult>;
  postForm(
    businessType: string,
    businessId: string,
    url: string,
    body?: Record<string, string> | URLSearchParams | string,
    headers?: Record<string, string>,
    options?: RequestOptions,
  ): Promise<DeliveryResult>;
  /** Any supported method (GET, POST, PUT, PATCH, DELETE) with a text body. */
  request(spec: RequestSpec): Promise<DeliveryResult>;
  /** The task as it is now (live actor first, else the store). */
  task(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  /** Stops the facade for good (the Facade contract). */
  stop(): Promise<void>;
  /** Stops retrying one task: recorded as stopped (an attempt in flight still records its answer). */
  stop(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  /** Re-arms a stopped or failed task: an attempt now, with its schedule from the start. */
  retry(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  close(): Promise<void>;
  status(): DeliveryStatus;
  counters(): Record<string, number>;
}

/**
 * A task in progress in this process: its first attempt on the fast path (no actor yet), or
 * its chart actor. The scan, `stop`, `retry` and `task` all look here first.
 */
interface LiveTask {
  key: string;
  /** The chart actor, once the task has one. */
  actor?: Actor<TaskLogic>;
  /** On the fast path: the task as it was when the attempt started, and the pending command. */
  task: DeliveryTask;
  fast?: FirstAttemptControl;
  /** Attempts already counted in `status().attempts`. */
  attempts: number;
  /** Resolves the caller of the call that created the task, on the first recorded outcome. */
  answer?: (result: DeliveryResult) => void;
}

export function createAutoHttp(options: AutoHttpOptions = {}): AutoHttp {
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
  /** The scan leaves room for this many live tasks (queued attempts wait for a slot). */
  const maxLive = maxConcurrent * 4;
  // Only the keys the host gave: XState spreads options over its defaults, so `clock: undefined`
  // would remove the default clock.
  const actorEnv = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  };
  const clockNow = () => (options.clock as { now?: () => number } | undefined)?.now?.() ?? Date.now();

  const http = createHttpClient({ connections: maxConcurrent, ...options.http });
  const slots = new Semaphore(maxConcurrent);
  const steps = attemptSteps({
    store,
    http: http.send,
    slots,
    callbacks: options.callbacks ?? {},
    requestTimeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
  });
  const logic = taskLogic(steps);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => (options.clock ? options.clock.setTimeout(resolve, ms) : setTimeout(resolve, ms)));

  const live = new Map<number, LiveTask>();
  const liveByKey = new Map<string, LiveTask>();
  /** Business keys being created, stopped or retried outside an actor: the scan leaves them alone. */
  const claimed = new Set<string>();
  const recorded: Record<StoredStatus, number> = { sending: 0, success: 0, failure: 0, stopped: 0 };
  const stats = { attempts: 0, rejected: 0, duplicates: 0, callbackErrors: 0, lastError: null as string | null };
  let closing: Promise<void> | undefined;

  const loop = createActor(
    deliveryLoopMachine.provide({
      actors: {
        scan: fromPromise<ScanResult, void>(() => scan()),
        clean: fromPromise<number, void>(() => cleanUp()),
        drain: fromPromise<void, void>(() => drain()),
      },
    }),
    { input: { loopIntervalMs: options.loopIntervalMs, autoCleanIntervalMs: clean.intervalMs }, ...actorEnv },
  );
  loop.subscribe({ error: (error) => logger.error('delivery loop failed', { error: describeError(error) }) });
  loop.start();

  function notify(task: DeliveryTask, error: string) {
    const callback = options.callbacks?.onTaskStatusUpdate;
    if (!callback) return;
    const failed = (cause: unknown) => {
      stats.callbackErrors++;
      logger.warn('onTaskStatusUpdate threw', { taskId: task.id, error: describeError(cause) });
    };
    try {
      Promise.resolve(callback(structuredClone(task), error)).catch(failed);
    } catch (cause) {
      failed(cause);
    }
  }

  const current = (entry: LiveTask) => entry.actor?.getSnapshot().context.task ?? entry.task;

  /** The caller of the call that created the task gets the first attempt's answer. */
  function answerCaller(entry: LiveTask, task: DeliveryTask, response: { statusCode: number; body: string } | null, error: string | null) {
    const answer = entry.answer;
    if (!answer) return;
    entry.answer = undefined;
    answer({ taskId: task.id, created: true, status: task.status, statusCode: response?.statusCode ?? 0, body: response?.body ?? '', error });
  }

  /** Every recorded status change, from the chart or the fast path: counters and the callback. */
  function onRecorded(task: DeliveryTask, error: string | null) {
    recorded[task.status]++;
    if (error) stats.lastError = error;
    notify(task, error ?? '');
  }

  function track(task: DeliveryTask, entry: LiveTask) {
    live.set(task.id, entry);
    liveByKey.set(entry.key, entry);
  }

  /** Forgets a task that reached a resting point (or is cut short by close: `abort`). */
  function release(entry: LiveTask, id: number, abort = false) {
    if (live.get(id) !== entry) return;
    live.delete(id);
    liveByKey.delete(entry.key);
    entry.actor?.stop();
    if (abort) entry.fast?.abort.abort(new DeliveryClosedError());
    entry.answer?.({ taskId: id, created: true, status: current(entry).status, statusCode: 0, body: '', error: 'delivery stopped before an answer' });
    entry.answer = undefined;
    const { context } = loop.getSnapshot();
    if (context.backlog && live.size < maxLive / 2 && !closing) loop.send({ type: 'loop.wake' });
  }

  /** Hands a task to its chart actor: an attempt now, or (a failure) a wait until it is due. */
  function run(task: DeliveryTask, entry: LiveTask = { key: businessKey(task.businessType, task.businessId), task, attempts: task.attempts }): void {
    const actor = createActor(logic, { input: { task, ...taskInput }, ...actorEnv });
    entry.fast = undefined;
    entry.actor = actor;
    entry.attempts = task.attempts;
    track(task, entry);
    actor.on('task.recorded', (event: DeliveryEmitted) => {
      onRecorded(event.task, event.error);
      answerCaller(entry, event.task, event.response, event.error);
    });
    actor.subscribe({
      next: (snapshot) => {
        const { attempts } = snapshot.context.task;
        if (attempts > entry.attempts) {
          stats.attempts += attempts - entry.attempts;
          entry.attempts = attempts;
        }
        if (snapshot.status === 'done' || snapshot.value === 'stopped') release(entry, task.id);
      },
      error: (error) => {
        stats.lastError = describeError(error).message;
        logger.error('delivery task actor failed', { taskId: task.id, error: describeError(error) });
        release(entry, task.id);
      },
    });
    actor.start();
  }

  /** A new task's first attempt on the fast path; a failure goes on in the chart (or the loop). */
  async function attemptFirst(task: DeliveryTask, answer: (result: DeliveryResult) => void): Promise<void> {
    const control: FirstAttemptControl = { command: null, abort: new AbortController() };
    const entry: LiveTask = { key: businessKey(task.businessType, task.businessId), task, fast: control, answer, attempts: 1 };
    track(task, entry);
    stats.attempts++;
    let outcome: FirstAttemptOutcome;
    try {
      outcome = await firstAttempt(task, control, fastDeps, (decided) => {
        entry.task = decided.task;
        answerCaller(entry, decided.task, decided.response, decided.error);
      });
    } catch (error) {
      stats.lastError = describeError(error).message;
      release(entry, task.id); // the store keeps it as sending: the loop (or the next start) retries it
      return;
    }
    onRecorded(outcome.task, outcome.error);
    if (live.get(task.id) !== entry || closing) return release(entry, task.id);
    // A command that came in while the outcome was being written applies now, as in the chart.
    const { status } = outcome.task;
    const late = control.command;
    if (status === 'failure' && !outcome.park) {
      run(late === 'retry' ? { ...outcome.task, nextRetryTime: clockNow() } : outcome.task, entry);
      if (late === 'stop') entry.actor?.send({ type: 'task.stop' });
      return;
    }
    release(entry, task.id);
    if (late === 'stop' && status === 'failure') await stopTask(task.businessType, task.businessId);
    if (late === 'retry' && status === 'stopped') await retryTask(task.businessType, task.businessId);
  }

  function fail(error: unknown) {
    stats.lastError = describeError(error).message;
    logger.error('delivery first attempt failed', { error: describeError(error) });
  }

  const fastDeps = {
    steps,
    now: clockNow,
    sleep,
    taskAddIfSuccess: taskInput.taskAddIfSuccess,
    holdMs: taskInput.holdMs,
    closed: () => closing !== undefined,
  };

  /** `describe` builds the call's spec; whatever it or the checks throw is a rejected call. */
  async function submit(describe: () => RequestSpec): Promise<DeliveryResult> {
    if (closing) throw new DeliveryClosedError();
    let draft;
    try {
      const spec = describe();
      draft = draftTask(spec, { retry: spec.retry ?? retry, maxBodyBytes, now: clockNow() });
    } catch (error) {
      stats.rejected++;
      throw error;
    }
    const key = businessKey(draft.businessType, draft.businessId);
    claimed.add(key);
    let result;
    try {
      result = await store.createTask(draft);
    } catch (error) {
      throw new TaskStoreError('createTask', error);
    } finally {
      claimed.delete(key);
    }
    const { task, created } = result;
    if (!created) {
      stats.duplicates++;
      const known = liveByKey.get(key);
      const now = known ? current(known) : task;
      return { taskId: now.id, created: false, status: now.status, statusCode: now.lastStatusCode, body: '', error: now.lastError || null };
    }
    if (closing) throw new DeliveryClosedError(); // stored: the next start delivers it
    return new Promise<DeliveryResult>((resolve) => void attemptFirst(task, resolve).catch(fail));
  }

  async function scan(): Promise<ScanResult> {
    const room = maxLive - live.size;
    if (room <= 0) return { picked: 0, more: true };
    const limit = room + live.size;
    const ids = await store.incompleteTaskIds(clockNow(), limit);
    let picked = 0;
    for (const id of ids) {
      if (closing) break;
      if (live.has(id)) continue;
      if (picked >= room) return { picked, more: true };
      const task = await store.taskDetail(id);
      if (!task || !isIncomplete(task.status) || live.has(id) || claimed.has(businessKey(task.businessType, task.businessId))) continue;
      run(task);
      picked++;
    }
    return { picked, more: ids.length >= limit };
  }

  async function cleanUp(): Promise<number> {
    if (!clean.enabled) return 0;
    const at = clockNow();
    let deleted = 0;
    const ages: Array<[StoredStatus, number]> = [['success', clean.successAgeMs], ['failure', clean.failureAgeMs], ['stopped', clean.stoppedAgeMs]];
    for (const [status, age] of ages) {
      if (!(age > 0)) continue;
      for (const id of await store.taskIdsToClean(status, at - age)) {
        if (live.has(id)) continue;
        await store.deleteTask(id);
        deleted++;
      }
    }
    return deleted;
  }

  /** Waits (bounded) until no attempt is in flight and no task is being recorded. */
  async function drain(): Promise<void> {
    const deadline = Date.now() + drainTimeoutMs;
    const busy = () => [...live.values()].some(({ actor }) => !actor || !actor.getSnapshot().matches('waiting'));
    while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** `task.stop` / `task.retry` to the chart, or the same meaning on the fast path (see the chart). */
  function command(entry: LiveTask, type: DeliveryCommand) {
    if (entry.actor) entry.actor.send({ type: type === 'stop' ? 'task.stop' : 'task.retry' });
    else if (entry.fast) entry.fast.command = type === 'stop' ? 'stop' : entry.fast.command === 'stop' ? null : 'retry';
  }

  async function withTask(businessType: string, businessId: string, body: (task: DeliveryTask, key: string) => Promise<DeliveryTask | undefined>) {
    const key = businessKey(businessType, businessId);
    const entry = liveByKey.get(key);
    if (entry) return body(current(entry), key);
    claimed.add(key);
    try {
      const task = await store.taskDetailByBusiness(businessType, businessId);
      return task && (await body(task, key));
    } finally {
      claimed.delete(key);
    }
  }

  async function stopTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined> {
    return withTask(businessType, businessId, async (task, key) => {
      const entry = liveByKey.get(key);
      if (entry) {
        command(entry, 'stop');
        return current(entry);
      }
      if (!isIncomplete(task.status)) return task;
      const stopped = stoppedTask(task);
      if (await store.updateTask(stopped)) {
        recorded.stopped++;
        notify(stopped, '');
      }
      return stopped;
    });
  }

  async function retryTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined> {
    if (closing) throw new DeliveryClosedError();
    return withTask(businessType, businessId, async (task, key) => {
      const entry = liveByKey.get(key);
      if (entry) {
        command(entry, 'retry');
        return current(entry);
      }
      if (task.status === 'success') return task;
      run(rearmed(task));
      const started = liveByKey.get(key);
      return started ? current(started) : task;
    });
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      loop.send({ type: 'loop.close' });
      if (!loop.getSnapshot().matches('closed')) {
        await new Promise<void>((resolve) => {
          const sub = loop.subscribe({ next: (s) => s.status === 'done' && (sub.unsubscribe(), resolve()), error: () => resolve() });
        });
      }
      for (const [id, entry] of [...live]) release(entry, id, true);
      await http.close();
      if (ownsStore) await store.close();
    })();
    return closing;
  }

  const counters = (): Record<string, number> => ({
    delivery_live: live.size,
    delivery_in_flight: slots.inUse,
    delivery_attempts_total: stats.attempts,
    delivery_success_total: recorded.success,
    delivery_failure_total: recorded.failure,
    delivery_stopped_total: recorded.stopped,
    delivery_rejected_total: stats.rejected,
    delivery_duplicates_total: stats.duplicates,
    delivery_callback_errors_total: stats.callbackErrors,
    delivery_loop_errors_total: loop.getSnapshot().context.errors,
  });

  const facade: AutoHttp = {
    actor: loop,
    start() {
      if (!closing) loop.send({ type: 'loop.start' });
    },
    drain,
    stop: ((businessType?: string, businessId?: string) =>
      businessType === undefined ? close() : stopTask(businessType, businessId ?? '')) as AutoHttp['stop'],
    retry: retryTask,
    close,
    get: (businessType, businessId, url, headers, opts) => submit(() => ({ businessType, businessId, url, method: 'GET', headers, retry: opts?.retry })),
    postJson: (businessType, businessId, url, body, headers, opts) =>
      submit(() => ({
        businessType,
        businessId,
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: jsonBody(body),
        retry: opts?.retry,
      })),
    postForm: (businessType, businessId, url, body, headers, opts) =>
      submit(() => ({
        businessType,
        businessId,
        url,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: formBody(body),
        retry: opts?.retry,
      })),
    request: (spec) => submit(() => spec),
    task: async (businessType, businessId) =>
      {
        const entry = liveByKey.get(businessKey(businessType, businessId));
        return entry ? current(entry) : store.taskDetailByBusiness(businessType, businessId);
      },
    status: () => {
      const snapshot = loop.getSnapshot();
      const { scans, picked, cleaned, errors, lastError } = snapshot.context;
      return {
        state: snapshot.value,
        live: live.size,
        inFlight: slots.inUse,
        recorded: { ...recorded },
        attempts: stats.attempts,
        rejected: stats.rejected,
        duplicates: stats.duplicates,
        callbackErrors: stats.callbackErrors,
        loop: { scans, picked, cleaned, errors },
        lastError: stats.lastError ?? lastError,
      };
    },
    counters,
  };
  return facade;
}
