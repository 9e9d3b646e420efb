import type { Actor } from 'xstate';
import type { StoredStatus } from '../../adapters/delivery/task-store.js';
import type { deliveryLoopMachine } from '../../machines/delivery/loop.js';
import type { DeliveryTask, TaskStatus } from '../../machines/delivery/task.js';
import type { Facade } from '../host.js';
import type { RequestOptions } from './options.js';
import type { RequestSpec } from './requests.js';

/** What a request call answers: the first attempt (or, for a known key, the existing task). */
export interface DeliveryResult {
  taskId: number;
  /** False: the business key existed, nothing was sent; the fields describe the existing task. */
  created: boolean;
  status: TaskStatus;
  /** Status code of the first attempt (0: no answer, e.g. refused, timed out, or not created). */
  statusCode: number;
  body: string;
  /** Why the first attempt failed, if it did, and its stable code (see DeliveryTask.lastErrorCode). */
  error: string | null;
  errorCode: string | null;
}

export interface DeliveryStatus {
  /** The dispatcher loop's state. */
  state: unknown;
  /** Tasks in progress in this process, and requests in flight. */
  live: number;
  inFlight: number;
  /** Tasks in the store by status, as of the loop's last scan (null before the first). */
  tasks: Record<StoredStatus, number> | null;
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
  /** The dispatcher loop: `ready` while running. */
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
  /** The task as it is now (in progress here first, else the store). */
  task(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  /** Stops the whole actor for good (the Facade contract); same as `close()`. */
  stop(): Promise<void>;
  /**
   * Stops one task, as `stopTask` does: kept for one release, for callers of the old overload.
   * @deprecated use `stopTask(businessType, businessId)`; `stop()` stops the whole actor.
   */
  stop(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  /** Stops retrying one task: recorded as stopped (an attempt in flight still records its answer). */
  stopTask(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  /** Re-arms a stopped or failed task: an attempt now, with its schedule from the start. */
  retry(businessType: string, businessId: string): Promise<DeliveryTask | undefined>;
  /** Lets in-flight attempts finish (bounded by drainTimeoutMs), then releases everything. */
  close(): Promise<void>;
  status(): DeliveryStatus;
  counters(): Record<string, number>;
}
