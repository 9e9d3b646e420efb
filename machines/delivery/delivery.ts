import { assign, emit, fromPromise, setup } from 'xstate';
import { backoffDelay } from '../backoff.js';
import { msUntil, now } from '../clock.js';
import { attemptErrorCodes, beginAttempt, errorCodeOf, failed, rearmed, stopped, succeeded, type DeliveryCommand } from './outcome.js';
import type { AttemptRequest, AttemptResponse, DeliveryTask } from './task.js';

/**
 * One delivery task, from an attempt to its next resting point:
 *
 *   resume → building → sending → validating → success ──────────→ delivered
 *     ↑ │                  ╲          ╲
 *     │ │                   ╲──────────╲──────→ failure ─┐
 *     └─┼────────────────────────────────────────────────┘  (recorded, then routed by resume:)
 *       ├→ waiting ──(nextRetryTime)──→ building …
 *       ├→ stopped   (schedule used up, or stopped)
 *       └→ parked    (next retry further than holdMs: the dispatcher loop resumes it from the store)
 *
 * The pure decisions (what an answer does to the task) live in delivery-outcome.ts, shared with
 * the facade's first-attempt fast path, which hands a failed task to this chart at `resume`.
 *
 * `success`, `failure` and `stopping` each record the task in the store before going on (and retry
 * the store with backoff while it is down), so what the store says is never behind what happened.
 * Deadlines are absolute (`task.nextRetryTime`), so a restored actor waits exactly what was left.
 *
 * `task.stop` and `task.retry` are defined everywhere: in `building` / `waiting` a stop records
 * the task as stopped at once; while a request is in flight (`sending`, `validating`) the answer is
 * still recorded, but no further retry follows; `retry` re-arms a waiting or stopped task now with
 * a fresh schedule, and cancels a stop that had not taken effect yet. After `delivered` both are
 * no-ops: there is nothing left to stop or retry.
 */
export interface DeliveryInput {
  task: DeliveryTask;
  /** Keep a task that succeeded on its first attempt (the seed's TaskAddIfSuccess). Default false. */
  taskAddIfSuccess?: boolean;
  /**
   * The longest wait the actor sits out itself; a task whose next retry is further away is parked
   * (ends the actor) and left to the dispatcher loop. Default 60 000 ms.
   */
  holdMs?: number;
  /** A failed task handed over whose wait exceeds holdMs (the facade never hands those over). */
  park?: boolean;
  /**
   * A stop or retry that reached the task before it had an actor (during its first attempt on
   * the facade's fast path): applied at `resume`, before anything else, as a pending command is.
   */
  command?: DeliveryCommand;
}

export type { DeliveryCommand };
// The task and attempt types are the chart's context: exported with it.
export type { AttemptRequest, AttemptResponse, DeliveryMethod, DeliveryTask, NewDeliveryTask } from './task.js';

export interface DeliveryContext {
  task: DeliveryTask;
  taskAddIfSuccess: boolean;
  holdMs: number;
  /** The request of the current attempt, as `build` produced it. */
  request: AttemptRequest | null;
  /** The answer of the current attempt. */
  response: AttemptResponse | null;
  /** Why the current attempt failed, and its stable code. */
  error: string | null;
  errorCode: string | null;
  /** A stop or retry that arrived while the task was busy; applied at the next resting point. */
  command: DeliveryCommand | null;
  /** On success: delete the task rather than keep it (first-attempt success, taskAddIfSuccess off). */
  discard: boolean;
  /** On failure: the next retry is further away than `holdMs`, so the actor parks the task. */
  park: boolean;
  /** Consecutive failed store writes (drives the store backoff). */
  storeFailures: number;
  storeError: string | null;
}

export type DeliveryEvent = { type: 'task.stop' } | { type: 'task.retry' };

/** After each store write: the task as recorded, and what the attempt got. */
export type DeliveryEmitted = {
  type: 'task.recorded';
  task: DeliveryTask;
  discarded: boolean;
  response: AttemptResponse | null;
  error: string | null;
};

export interface ValidationResult {
  ok: boolean;
  /** Why the answer was rejected (shown as the task's lastError). */
  reason?: string;
}

const notProvided = (name: string) => () => {
  throw new Error(`not provided: ${name}`);
};

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

const deliverySetup = setup({
  types: {
    input: {} as DeliveryInput,
    context: {} as DeliveryContext,
    events: {} as DeliveryEvent,
    emitted: {} as DeliveryEmitted,
  },
  actors: {
    /** Runs `onTaskBuilding`: the request to send this attempt (the task's, maybe signed). */
    build: fromPromise<AttemptRequest, { task: DeliveryTask }>(notProvided('build')),
    /** Sends the request; rejects on transport failure or timeout. */
    send: fromPromise<AttemptResponse, { task: DeliveryTask; request: AttemptRequest }>(notProvided('send')),
    /** Runs `onTaskResultValid` (default: 2xx). */
    validate: fromPromise<ValidationResult, { task: DeliveryTask; response: AttemptResponse }>(notProvided('validate')),
    /** Writes the task to the store (or deletes it when `discard`). */
    record: fromPromise<void, { task: DeliveryTask; discard: boolean }>(notProvided('record')),
  },
  delays: {
    retryDue: ({ context, system }) => msUntil(system, context.task.nextRetryTime),
    storeRetry: ({ context }) => backoffDelay(context.storeFailures, { initialMs: 100, maxMs: 30_000, jitter: 'none' }),
  },
  guards: {
    stopPending: ({ context }) => context.command === 'stop' && context.task.status === 'failure',
    retryPending: ({ context }) => context.command === 'retry',
    isStopped: ({ context }) => context.task.status === 'stopped',
    parkable: ({ context }) => context.park && context.task.status === 'failure',
    isFailure: ({ context }) => context.task.status === 'failure',
    answerAccepted: (_, output: ValidationResult) => output.ok,
  },
  actions: {
    beginAttempt: assign(({ context, system }) => ({
      task: beginAttempt(context.task, now(system)),
      request: null,
      response: null,
      error: null,
      errorCode: null,
      command: null,
    })),
    rearm: assign(({ context }) => ({ task: rearmed(context.task), command: null })),
    markSuccess: assign(({ context, system }) => succeeded(context.task, context.response, now(system), context.taskAddIfSuccess)),
    markFailure: assign(({ context, system }) => ({
      ...failed(context.task, context.response, context.error, context.command, now(system), context.holdMs, context.errorCode),
      command: context.command === 'stop' ? null : context.command,
    })),
    markStopped: assign(({ context }) => ({ task: stopped(context.task), command: null })),
    requestStop: assign({ command: 'stop' as const }),
    requestRetry: assign({ command: 'retry' as const }),
    cancelStop: assign({ command: null }),
    storeSaved: assign({ storeFailures: 0, storeError: null }),
    storeFailed: assign(({ context }, params: { error: unknown }) => ({
      storeFailures: context.storeFailures + 1,
      storeError: errorText(params.error),
    })),
    announce: emit(({ context }) => ({
      type: 'task.recorded' as const,
      task: context.task,
      discarded: context.task.status === 'success' && context.discard,
      response: context.response,
      error: context.error,
    })),
  },
});

/**
 * The store write of a status change (success, failure, stopped): `saving` retried after
 * `storeRetry` until the store takes it, then on to `then`. One definition for the three states.
 */
const recordThen = (then: '#delivery.delivered' | '#delivery.resume') =>
  ({
    initial: 'saving',
    states: {
      saving: {
        invoke: {
          id: 'record',
          src: 'record',
          input: ({ context }: { context: DeliveryContext }) => ({ task: context.task, discard: context.task.status === 'success' && context.discard }),
          onDone: { target: then, actions: ['storeSaved', 'announce'] },
          onError: { target: 'retrying', actions: { type: 'storeFailed', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) } },
        },
      },
      retrying: { after: { storeRetry: 'saving' } },
    },
  }) as const;

export const deliveryMachine = deliverySetup.createMachine({
  id: 'delivery',
  context: ({ input }) => ({
    task: input.task,
    taskAddIfSuccess: input.taskAddIfSuccess ?? false,
    holdMs: input.holdMs ?? 60_000,
    park: input.park ?? false,
    request: null,
    response: null,
    error: null,
    errorCode: null,
    command: input.command ?? null,
    discard: false,
    storeFailures: 0,
    storeError: null,
  }),
  initial: 'resume',
  states: {
    /**
     * Where a task goes from a resting point: after a failure or stop is recorded, and at start
     * (a new or due task → building; a failure handed over after the fast path → waiting).
     */
    resume: {
      always: [
        { guard: 'stopPending', target: 'stopping' },
        { guard: 'retryPending', target: 'building', actions: 'rearm' },
        { guard: 'isStopped', target: 'stopped' },
        { guard: 'parkable', target: 'parked' },
        { guard: 'isFailure', target: 'waiting' },
        { target: 'building' },
      ],
    },
    building: {
      entry: 'beginAttempt',
      invoke: {
        id: 'build',
        src: 'build',
        input: ({ context }) => ({ task: context.task }),
        onDone: { target: 'sending', actions: assign({ request: ({ event }) => event.output }) },
        onError: {
          target: 'failure',
          actions: assign({ error: ({ event }) => `onTaskBuilding failed: ${errorText(event.error)}`, errorCode: attemptErrorCodes.callbackFailed }),
        },
      },
      on: { 'task.stop': 'stopping' },
    },
    sending: {
      invoke: {
        id: 'send',
        src: 'send',
        input: ({ context }) => ({ task: context.task, request: context.request! }),
        onDone: { target: 'validating', actions: assign({ response: ({ event }) => event.output }) },
        onError: {
          target: 'failure',
          actions: assign({ error: ({ event }) => errorText(event.error), errorCode: ({ event }) => errorCodeOf(event.error, attemptErrorCodes.requestFailed) }),
        },
      },
      on: { 'task.stop': { actions: 'requestStop' }, 'task.retry': { actions: 'cancelStop' } },
    },
    validating: {
      invoke: {
        id: 'validate',
        src: 'validate',
        input: ({ context }) => ({ task: context.task, response: context.response! }),
        onDone: [
          { guard: { type: 'answerAccepted', params: ({ event }) => event.output }, target: 'success' },
          { target: 'failure', actions: assign({ error: ({ event }) => event.output.reason ?? 'answer rejected', errorCode: attemptErrorCodes.rejected }) },
        ],
        onError: {
          target: 'failure',
          actions: assign({ error: ({ event }) => `onTaskResultValid failed: ${errorText(event.error)}`, errorCode: attemptErrorCodes.callbackFailed }),
        },
      },
      on: { 'task.stop': { actions: 'requestStop' }, 'task.retry': { actions: 'cancelStop' } },
    },
    success: {
      entry: 'markSuccess',
      ...recordThen('#delivery.delivered'),
    },
    failure: {
      entry: 'markFailure',
      ...recordThen('#delivery.resume'),
      on: { 'task.stop': { actions: 'requestStop' }, 'task.retry': { actions: 'requestRetry' } },
    },
    stopping: {
      entry: 'markStopped',
      ...recordThen('#delivery.resume'),
      on: { 'task.retry': { actions: 'requestRetry' } },
    },
    waiting: {
      after: { retryDue: 'building' },
      on: { 'task.stop': 'stopping', 'task.retry': { target: 'building', actions: 'rearm' } },
    },
    stopped: {
      on: { 'task.retry': { target: 'building', actions: 'rearm' } },
    },
    /** Waiting longer than `holdMs`: the actor ends; the dispatcher loop resumes the task when due. */
    parked: { type: 'final' },
    delivered: { type: 'final' },
  },
});

export type DeliveryMachine = typeof deliveryMachine;
