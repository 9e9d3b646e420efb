import type { RetrySchedule } from './schedule.js';

/**
 * A delivery task: the seed's Item. Plain data, stored as-is by every task store, kept in the
 * chart's context, handed to the callbacks. Times are epoch milliseconds (the seed used seconds).
 */
export type TaskStatus = 'sending' | 'success' | 'failure' | 'stopped';

export type DeliveryMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface DeliveryTask {
  /** Assigned by the store, unique in it. */
  id: number;
  /** With `businessId`, the idempotency key: one task per (type, id). */
  businessType: string;
  businessId: string;
  url: string;
  method: DeliveryMethod;
  headers: Record<string, string>;
  /** The request body as text ('' for none). */
  body: string;
  /** This task's retry schedule (the facade's default when the call gave none). */
  retry: RetrySchedule;
  /** Retries made under the current schedule; `retry()` resets it. */
  retryCount: number;
  /** Every attempt ever made, the first included. */
  attempts: number;
  status: TaskStatus;
  /** When the task was created. */
  requestTime: number;
  /** When the latest retry started (0: none yet). */
  lastRetryTime: number;
  /** When the next attempt is due; for `sending`, when it became due. 0 once finished. */
  nextRetryTime: number;
  /** When it succeeded (0: not yet). */
  successTime: number;
  /** Status code of the latest answer (0: none, e.g. connection refused). */
  lastStatusCode: number;
  /** Why the latest attempt failed ('' after a success). */
  lastError: string;
  /**
   * The same as a stable code ('' after a success): a transport error's own code
   * (`SW_DELIVERY_TIMEOUT`, `SW_DELIVERY_REQUEST_FAILED`, `SW_DELIVERY_RESPONSE_TOO_LARGE`),
   * `SW_DELIVERY_REJECTED` (answer not accepted), `SW_DELIVERY_CALLBACK_FAILED` (a callback threw).
   * Absent on tasks stored before it existed.
   */
  lastErrorCode?: string;
}

/** What a caller provides; the facade fills the rest. */
export type NewDeliveryTask = Omit<DeliveryTask, 'id'>;

/** The request one attempt sends: the task's, as `onTaskBuilding` may have changed it (signed). */
export interface AttemptRequest {
  url: string;
  method: DeliveryMethod;
  headers: Record<string, string>;
  body: string;
}

/** The receiver's answer to one attempt. */
export interface AttemptResponse {
  statusCode: number;
  body: string;
  /** The receiver's `Retry-After`, as a delay from the answer, when it sent one. */
  retryAfterMs: number | null;
}

/** Whether a task needs no more attempts. */
export function isFinished(status: TaskStatus): boolean {
  return status === 'success' || status === 'stopped';
}
