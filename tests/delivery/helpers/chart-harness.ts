/**
 * Fakes for the delivery chart's invoked actors, for unit and model tests: every call is parked
 * as a deferred the test settles by hand (or answered at once by a scripted reply), and the
 * clock is XState's SimulatedClock.
 */
import { createActor, fromPromise, SimulatedClock, type InspectionEvent } from 'xstate';
import { deliveryMachine, type DeliveryEmitted, type DeliveryInput, type ValidationResult } from '../../../machines/delivery/delivery.js';
import type { AttemptRequest, AttemptResponse, DeliveryTask } from '../../../machines/delivery/task.js';
import type { RetrySchedule } from '../../../machines/delivery/schedule.js';

export function sampleTask(retry: RetrySchedule, overrides: Partial<DeliveryTask> = {}): DeliveryTask {
  return {
    id: 1,
    businessType: 'order',
    businessId: 'o-1',
    url: 'http://127.0.0.1:9/hook',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"n":1}',
    retry,
    retryCount: 0,
    attempts: 0,
    status: 'sending',
    requestTime: 0,
    lastRetryTime: 0,
    nextRetryTime: 0,
    successTime: 0,
    lastStatusCode: 0,
    lastError: '',
    lastErrorCode: '',
    ...overrides,
  };
}

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export type Reply = AttemptResponse | Error;

export interface HarnessOptions {
  /** Answers for successive sends; when empty, sends stay pending until `pendingSends` settles them. */
  replies?: Reply[];
  /** When set, validation is answered at once with this rule; otherwise it stays pending. */
  validate?: (response: AttemptResponse) => ValidationResult;
  /** When false, records stay pending; default: answered at once. */
  autoRecord?: boolean;
  /** Failures of the store before writes succeed. */
  storeFailures?: number;
  /** When false, build stays pending; default: answered at once with the task's request. */
  autoBuild?: boolean;
  inspect?: (event: InspectionEvent) => void;
}

export function harness(input: DeliveryInput, options: HarnessOptions = {}) {
  const clock = new SimulatedClock();
  const replies = [...(options.replies ?? [])];
  let storeFailures = options.storeFailures ?? 0;
  const sent: AttemptRequest[] = [];
  const recorded: Array<{ task: DeliveryTask; discard: boolean }> = [];
  const emitted: DeliveryEmitted[] = [];
  const pendingSends: Array<Deferred<AttemptResponse>> = [];
  const pendingBuilds: Array<Deferred<AttemptRequest> & { task: DeliveryTask }> = [];
  const pendingValidations: Array<Deferred<ValidationResult>> = [];
  const pendingRecords: Array<Deferred<void>> = [];
  const logic = deliveryMachine.provide({
    actors: {
      build: fromPromise(async ({ input }) => {
        const request = { url: input.task.url, method: input.task.method, headers: input.task.headers, body: input.task.body };
        if (options.autoBuild === false) return new Promise<AttemptRequest>((resolve, reject) => pendingBuilds.push({ resolve, reject, task: input.task }));
        return request;
      }),
      send: fromPromise(async ({ input }) => {
        sent.push(input.request);
        const reply = replies.shift();
        if (reply instanceof Error) throw reply;
        if (reply) return reply;
        return new Promise<AttemptResponse>((resolve, reject) => pendingSends.push({ resolve, reject }));
      }),
      validate: fromPromise(async ({ input }) => {
        if (options.validate) return options.validate(input.response);
        return new Promise<ValidationResult>((resolve, reject) => pendingValidations.push({ resolve, reject }));
      }),
      record: fromPromise(async ({ input }) => {
        if (storeFailures > 0) {
          storeFailures--;
          throw new Error('store down');
        }
        if (options.autoRecord === false) return new Promise<void>((resolve, reject) => pendingRecords.push({ resolve, reject }));
        recorded.push({ task: input.task, discard: input.discard });
      }),
    },
  });
  const actor = createActor(logic, { clock, input, inspect: options.inspect });
  actor.on('task.recorded', (event) => emitted.push(event));
  return { actor, clock, sent, recorded, emitted, pendingSends, pendingBuilds, pendingValidations, pendingRecords };
}

/** Lets promise actors settle (they resolve on microtasks and immediates). */
export async function flush(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export const ok = (statusCode = 200, retryAfterMs: number | null = null): AttemptResponse => ({ statusCode, body: 'ok', retryAfterMs });
export const accept2xx = (response: AttemptResponse): ValidationResult =>
  response.statusCode >= 200 && response.statusCode < 300 ? { ok: true } : { ok: false, reason: `status ${response.statusCode}` };
