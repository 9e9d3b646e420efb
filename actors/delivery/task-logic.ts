import { fromPromise } from 'xstate';
import type { HttpClient } from '../../adapters/http/request.js';
import { parseRetryAfter } from '../../adapters/http/retry-after.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import { deliveryMachine, type ValidationResult } from '../../machines/delivery/delivery.js';
import type { AttemptRequest, AttemptResponse, DeliveryTask } from '../../machines/delivery/task.js';
import type { DeliveryCallbacks } from './options.js';
import type { Semaphore } from './semaphore.js';

/**
 * The four I/O steps of an attempt, bound to the real world: `build` runs onTaskBuilding, `send`
 * is one undici exchange under the concurrency limit, `validate` runs onTaskResultValid (default
 * 2xx), `record` writes the store. Callbacks see copies, so nothing they do reaches the task
 * unasked. The chart invokes them (taskLogic); the first-attempt fast path calls them directly.
 */
export interface TaskLogicDeps {
  store: TaskStore<DeliveryTask>;
  http: HttpClient;
  slots: Semaphore;
  callbacks: DeliveryCallbacks;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  /** The host's clock: a Retry-After date is turned into a delay against it (a SimulatedClock in tests). */
  now: () => number;
}

export interface AttemptSteps {
  build(task: DeliveryTask): Promise<AttemptRequest>;
  send(request: AttemptRequest, signal?: AbortSignal): Promise<AttemptResponse>;
  validate(task: DeliveryTask, response: AttemptResponse): Promise<ValidationResult>;
  record(task: DeliveryTask, discard: boolean): Promise<void>;
}

export function attemptSteps(deps: TaskLogicDeps): AttemptSteps {
  const { store, http, slots, callbacks } = deps;
  return {
    async build(task) {
      if (!callbacks.onTaskBuilding) return { url: task.url, method: task.method, headers: task.headers, body: task.body };
      const item = structuredClone(task);
      const changed = (await callbacks.onTaskBuilding(item)) ?? item;
      return { url: changed.url, method: changed.method, headers: { ...changed.headers }, body: changed.body };
    },
    async send(request, signal) {
      await slots.acquire(signal);
      try {
        const answer = await http({ ...request, timeoutMs: deps.requestTimeoutMs, maxResponseBytes: deps.maxResponseBytes, signal });
        return { statusCode: answer.statusCode, body: answer.body, retryAfterMs: parseRetryAfter(answer.headers['retry-after'], deps.now()) };
      } finally {
        slots.release();
      }
    },
    async validate(task, response) {
      if (!callbacks.onTaskResultValid) {
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        return ok ? { ok } : { ok, reason: `receiver answered ${response.statusCode}` };
      }
      const verdict = await callbacks.onTaskResultValid(structuredClone(task), response.statusCode, response.body);
      if (verdict === false) return { ok: false, reason: `answer ${response.statusCode} rejected by onTaskResultValid` };
      if (typeof verdict === 'string') return { ok: false, reason: verdict };
      return { ok: true };
    },
    async record(task, discard) {
      if (discard) await store.deleteTask(task.id);
      else await store.updateTask(task);
    },
  };
}

/** The delivery chart with the real steps. */
export function taskLogic(steps: AttemptSteps) {
  return deliveryMachine.provide({
    actors: {
      build: fromPromise<AttemptRequest, { task: DeliveryTask }>(({ input }) => steps.build(input.task)),
      send: fromPromise<AttemptResponse, { task: DeliveryTask; request: AttemptRequest }>(({ input, signal }) => steps.send(input.request, signal)),
      validate: fromPromise<ValidationResult, { task: DeliveryTask; response: AttemptResponse }>(({ input }) => steps.validate(input.task, input.response)),
      record: fromPromise<void, { task: DeliveryTask; discard: boolean }>(({ input }) => steps.record(input.task, input.discard)),
    },
  });
}

export type TaskLogic = ReturnType<typeof taskLogic>;
