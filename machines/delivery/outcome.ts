import type { AttemptResponse, DeliveryTask } from './task.js';
import { nextRetryDelay, unitHash, withRetryAfter } from './schedule.js';

/**
 * What an attempt does to a task, as pure functions of (task, answer, time). The delivery chart's
 * actions are these functions, and the facade's first-attempt fast path calls the same ones, so a
 * task is decided the same way whether or not an actor runs it.
 */

/** The codes of attempt failures that are not a transport error's own (see DeliveryTask.lastErrorCode). */
export const attemptErrorCodes = {
  rejected: 'SW_DELIVERY_REJECTED',
  callbackFailed: 'SW_DELIVERY_CALLBACK_FAILED',
  requestFailed: 'SW_DELIVERY_REQUEST_FAILED',
} as const;

/** The stable code of a thrown error (a statewire error's `code`), or `fallback`. */
export function errorCodeOf(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SW_') ? code : fallback;
}

/** A stop or retry that arrived while the task was busy. */
export type DeliveryCommand = 'stop' | 'retry';

/** Starting an attempt: counted, and for a retry, time-stamped. */
export function beginAttempt(task: DeliveryTask, at: number): DeliveryTask {
  const retrying = task.attempts > 0;
  return {
    ...task,
    status: 'sending',
    attempts: task.attempts + 1,
    lastRetryTime: retrying ? at : task.lastRetryTime,
    nextRetryTime: retrying ? at : task.nextRetryTime,
  };
}

/** An accepted answer. `discard`: delete rather than keep (first-attempt success, taskAddIfSuccess off). */
export function succeeded(task: DeliveryTask, response: AttemptResponse | null, at: number, taskAddIfSuccess: boolean) {
  return {
    task: { ...task, status: 'success' as const, successTime: at, nextRetryTime: 0, lastStatusCode: response?.statusCode ?? 0, lastError: '', lastErrorCode: '' },
    discard: !taskAddIfSuccess && task.attempts === 1,
  };
}

/**
 * A failed attempt: stopped when a stop is pending or the schedule is used up; otherwise a failure
 * due after the schedule's delay (or the receiver's longer Retry-After). `park`: that wait is
 * longer than `holdMs`, so no actor should sit it out.
 */
export function failed(
  task: DeliveryTask,
  response: AttemptResponse | null,
  error: string | null,
  command: DeliveryCommand | null,
  at: number,
  holdMs: number,
  errorCode: string | null = null,
): { task: DeliveryTask; park: boolean } {
  const base = { ...task, lastStatusCode: response?.statusCode ?? 0, lastError: error ?? 'failed', lastErrorCode: errorCode ?? attemptErrorCodes.requestFailed };
  if (command === 'stop') return { task: { ...base, status: 'stopped', nextRetryTime: 0 }, park: false };
  const delay = withRetryAfter(nextRetryDelay(base.retry, base.retryCount, unitHash(base.id, base.attempts)), response?.retryAfterMs);
  if (delay === null) return { task: { ...base, status: 'stopped', nextRetryTime: 0 }, park: false };
  return { task: { ...base, status: 'failure', nextRetryTime: at + delay, retryCount: base.retryCount + 1 }, park: delay > holdMs };
}

/** Stopped by command. */
export function stopped(task: DeliveryTask): DeliveryTask {
  return { ...task, status: 'stopped', nextRetryTime: 0 };
}

/** `retry`: due now, the schedule starts over. */
export function rearmed(task: DeliveryTask): DeliveryTask {
  return { ...task, status: 'sending', retryCount: 0 };
}
