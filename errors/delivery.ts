import { StatewireError } from './base.js';

/**
 * Errors of the `delivery` actor (autohttp). Request validation errors are thrown before anything
 * is stored, so a rejected call leaves no task behind; attempt errors are recorded on the task.
 */

/** A URL that cannot be parsed, or whose protocol is not http(s). */
export class InvalidUrlError extends StatewireError {
  constructor(url: string, reason: string) {
    super('SW_DELIVERY_INVALID_URL', `invalid delivery URL "${url}": ${reason}`, { url, reason });
  }
}

/** A method the delivery actor does not send (it sends GET, POST, PUT, PATCH, DELETE). */
export class UnsupportedMethodError extends StatewireError {
  constructor(method: string) {
    super('SW_DELIVERY_UNSUPPORTED_METHOD', `unsupported delivery method "${method}"`, { method });
  }
}

/** A request body above `maxBodyBytes`: refused, never stored. */
export class BodyTooLargeError extends StatewireError {
  constructor(bytes: number, limit: number) {
    super('SW_DELIVERY_BODY_TOO_LARGE', `request body of ${bytes} bytes exceeds the limit of ${limit} bytes`, { bytes, limit });
  }
}

/** A task description missing a required field (business type or id) or with a bad retry setting. */
export class InvalidTaskError extends StatewireError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SW_DELIVERY_INVALID_TASK', message, details);
  }
}

/** A request on a delivery actor that is closing or closed. */
export class DeliveryClosedError extends StatewireError {
  constructor() {
    super('SW_DELIVERY_CLOSED', 'the delivery actor is closing or closed');
  }
}

/** The task store could not be read or written (disk, Redis). */
export class TaskStoreError extends StatewireError {
  constructor(operation: string, cause: unknown) {
    super('SW_TASK_STORE', `task store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { operation }, { cause });
  }
}

/** No answer within `requestTimeoutMs`. */
export class RequestTimeoutError extends StatewireError {
  constructor(url: string, timeoutMs: number) {
    super('SW_DELIVERY_TIMEOUT', `no answer from ${url} within ${timeoutMs} ms`, { url, timeoutMs });
  }
}

/** The request failed at the transport: refused, reset, DNS, TLS. */
export class RequestFailedError extends StatewireError {
  constructor(url: string, cause: unknown) {
    const code = (cause as { code?: unknown })?.code;
    super(
      'SW_DELIVERY_REQUEST_FAILED',
      `request to ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { url, cause: typeof code === 'string' ? code : undefined },
      { cause },
    );
  }
}

/** An answer body above `maxResponseBytes`: the attempt counts as failed. */
export class ResponseTooLargeError extends StatewireError {
  constructor(url: string, limit: number) {
    super('SW_DELIVERY_RESPONSE_TOO_LARGE', `answer from ${url} exceeds ${limit} bytes`, { url, limit });
  }
}
