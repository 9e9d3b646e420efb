import { businessKey, isIncomplete, type TaskStore } from '../../adapters/delivery/task-store.js';
import { DeliveryClosedError, TaskStoreError } from '../../errors/delivery.js';
import { rearmed, stopped } from '../../machines/delivery/outcome.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { RetrySchedule } from '../../machines/delivery/schedule.js';
import type { LiveTasks } from './live-tasks.js';
import { draftTask, formBody, jsonBody, type RequestSpec } from './requests.js';
import type { AutoHttp, DeliveryResult } from './types.js';

export interface CommandDeps {
  store: TaskStore<DeliveryTask>;
  live: LiveTasks;
  /** True once the facade drains: new calls and retries are refused. */
  draining(): boolean;
  /** The facade's default schedule, for a call that names none. */
  retry: RetrySchedule;
  maxBodyBytes: number;
  now(): number;
}

/** The facade's calls on tasks: the request methods, `task`, `stopTask` and `retry`. */
export type TaskCalls = Pick<AutoHttp, 'get' | 'postJson' | 'postForm' | 'request' | 'task' | 'stopTask' | 'retry'>;

/**
 * The calls a caller makes on tasks. A request's task is drafted, stored (its key claimed against
 * the scan meanwhile) and handed to the live tasks for its first attempt, whose result answers the
 * call. A stop or retry is sent to the task if it is in progress here, else applied to the stored
 * task with its key claimed. Counts the calls refused before anything was stored and the calls on
 * a known business key.
 */
export function createCommands({ store, live, draining, retry, maxBodyBytes, now }: CommandDeps) {
  const stats = { rejected: 0, duplicates: 0 };

  /** `describe` builds the call's spec; whatever it or the checks throw is a rejected call. */
  async function submit(describe: () => RequestSpec): Promise<DeliveryResult> {
    if (draining()) throw new DeliveryClosedError();
    let draft;
    try {
      const spec = describe();
      draft = draftTask(spec, { retry: spec.retry ?? retry, maxBodyBytes, now: now() });
    } catch (error) {
      stats.rejected++;
      throw error;
    }
    const key = businessKey(draft.businessType, draft.businessId);
    live.claim(key);
    let result;
    try {
      result = await store.createTask(draft);
    } catch (error) {
      throw new TaskStoreError('createTask', error);
    } finally {
      live.unclaim(key);
    }
    const { task, created } = result;
    if (!created) {
      stats.duplicates++;
      const known = live.current(key) ?? task;
      return { taskId: known.id, created: false, status: known.status, statusCode: known.lastStatusCode, body: '', error: known.lastError || null, errorCode: known.lastErrorCode || null };
    }
    if (draining()) throw new DeliveryClosedError(); // stored: the next start delivers it
    return new Promise<DeliveryResult>((resolve) => live.first(task, resolve));
  }

  /** A task not in progress here, read from the store with its key claimed against the scan. */
  async function outside<T>(businessType: string, businessId: string, body: (task: DeliveryTask) => Promise<T>): Promise<T | undefined> {
    const key = businessKey(businessType, businessId);
    live.claim(key);
    try {
      const task = await store.taskDetailByBusiness(businessType, businessId);
      return task && (await body(task));
    } finally {
      live.unclaim(key);
    }
  }

  async function stopTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined> {
    const key = businessKey(businessType, businessId);
    if (live.command(key, 'stop')) return live.current(key);
    return outside(businessType, businessId, async (task) => {
      if (!isIncomplete(task.status)) return task;
      const halted = stopped(task);
      if (await store.updateTask(halted)) live.recordedChange(halted, null);
      return halted;
    });
  }

  async function retryTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined> {
    if (draining()) throw new DeliveryClosedError();
    const key = businessKey(businessType, businessId);
    if (live.command(key, 'retry')) return live.current(key);
    return outside(businessType, businessId, async (task) => {
      if (task.status === 'success') return task;
      live.run(rearmed(task));
      return live.current(key) ?? task;
    });
  }

  const calls: TaskCalls = {
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
    task: async (businessType, businessId) => live.current(businessKey(businessType, businessId)) ?? store.taskDetailByBusiness(businessType, businessId),
    stopTask,
    retry: retryTask,
  };

  return {
    calls,
    /** Calls refused before anything was stored, and calls on a known business key. */
    stats: (): Readonly<typeof stats> => stats,
  };
}

export type Commands = ReturnType<typeof createCommands>;
