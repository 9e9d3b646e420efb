import { businessKey, type TaskStore } from '../../adapters/delivery/task-store.js';
import { DeliveryClosedError, TaskStoreError } from '../../errors/delivery.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import type { RetrySchedule } from '../../machines/delivery/schedule.js';
import type { FacadeState } from './facade-state.js';
import type { KeyClaims } from './key-claims.js';
import { draftTask, type RequestSpec } from './requests.js';
import type { TaskRunner } from './runner.js';
import type { DeliveryResult } from './types.js';

export interface SubmitDeps {
  store: TaskStore<DeliveryTask>;
  runner: TaskRunner;
  claims: KeyClaims;
  state: FacadeState;
  retry: RetrySchedule;
  maxBodyBytes: number;
  now(): number;
}

/**
 * The request path: a call's task is drafted, stored (its key claimed against the scan meanwhile)
 * and handed to the runner for its first attempt, whose result answers the call.
 */
export function createSubmit({ store, runner, claims, state, retry, maxBodyBytes, now }: SubmitDeps) {
  /** `describe` builds the call's spec; whatever it or the checks throw is a rejected call. */
  return async function submit(describe: () => RequestSpec): Promise<DeliveryResult> {
    if (state.draining) throw new DeliveryClosedError();
    let draft;
    try {
      const spec = describe();
      draft = draftTask(spec, { retry: spec.retry ?? retry, maxBodyBytes, now: now() });
    } catch (error) {
      state.stats.rejected++;
      throw error;
    }
    const key = businessKey(draft.businessType, draft.businessId);
    claims.claim(key);
    let result;
    try {
      result = await store.createTask(draft);
    } catch (error) {
      throw new TaskStoreError('createTask', error);
    } finally {
      claims.unclaim(key);
    }
    const { task, created } = result;
    if (!created) {
      state.stats.duplicates++;
      const known = runner.current(key) ?? task;
      return { taskId: known.id, created: false, status: known.status, statusCode: known.lastStatusCode, body: '', error: known.lastError || null, errorCode: known.lastErrorCode || null };
    }
    if (state.draining) throw new DeliveryClosedError(); // stored: the next start delivers it
    return new Promise<DeliveryResult>((resolve) => runner.first(task, resolve));
  };
}

export type Submit = ReturnType<typeof createSubmit>;
