import { ConfigError, StatewireError } from './base.js';

/**
 * Errors of the `link` actor (the agent's WebSocket client). Codes are stable (`SW_LINK_…`); the
 * seed names no error types, so names follow what went wrong.
 */

/** `createLink` options that cannot work (missing `serverAddress`, `agentId`, `agentKey`, …). */
export class LinkConfigError extends ConfigError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(`link: ${message}`, details);
  }
}

/** Why a received frame was refused (`too-large`: see `LinkFrameTooLargeError`). */
export type FrameProblem = 'not-json' | 'not-object' | 'bad-version' | 'missing-field' | 'unknown-type' | 'too-large';

/** A received frame that is not protocol v2. Counted and emitted; it never closes the link. */
export class LinkFrameError extends StatewireError {
  constructor(problem: FrameProblem, message: string, details: Record<string, unknown> = {}) {
    super('SW_LINK_FRAME', message, { problem, ...details });
  }
}

/**
 * The server sent a frame over the link's `maxPayload`. Counted (`frame_too_large`) and emitted as
 * `frame.invalid` (`too-large`); unlike other bad frames it closes the connection (the socket
 * cannot skip the rest of it), and the link reconnects, re-sending every unacked report.
 */
export class LinkFrameTooLargeError extends StatewireError {
  constructor(maxPayload: number) {
    super('SW_LINK_FRAME_TOO_LARGE', `a frame from the server is over maxPayload (${maxPayload} bytes)`, { problem: 'too-large', maxPayload });
  }
}

/** The server answered `hello` with `reject`: the link stops for good (no retry storm). */
export class LinkRejectedError extends StatewireError {
  constructor(reason: string) {
    super('SW_LINK_REJECTED', `the agent server rejected the agent: ${reason}`, { reason });
  }
}

/** A report was sent after `close()`: it is refused rather than silently queued forever. */
export class LinkClosedError extends StatewireError {
  constructor(operation: string) {
    super('SW_LINK_CLOSED', `link is closed: cannot ${operation}`, { operation });
  }
}

/** Why a queued report was given up. */
export type DropReason = 'max-retries' | 'ttl' | 'overflow';

/** A report given up by the retry queue: after its last retry, past its TTL, or with both stores full. */
export class ReportDroppedError extends StatewireError {
  constructor(reason: DropReason, id: string, details: Record<string, unknown> = {}) {
    super('SW_LINK_REPORT_DROPPED', `report ${id} dropped: ${reason}`, { reason, id, ...details });
  }
}

/** A retry store asked to hold more than its capacity. */
export class RetryStoreFullError extends StatewireError {
  constructor(store: string, capacity: number) {
    super('SW_LINK_RETRY_STORE_FULL', `${store} retry store is full (${capacity} messages)`, { store, capacity });
  }
}

/** A `task.run` whose type has no registered handler: the task gets a `failed` result naming it. */
export class TaskHandlerMissingError extends StatewireError {
  constructor(taskType: string, taskId: string) {
    super('SW_LINK_NO_TASK_HANDLER', `no handler registered for task type "${taskType}"`, { taskType, taskId });
  }
}
