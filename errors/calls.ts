import { StatewireError } from './base.js';

/**
 * Errors of remote agent calls: the breaker, the registry, the agent client and the coordinator.
 * Class names keep the seed's names where it has them (`ErrCircuitOpen`, `ErrTooManyRequests`).
 */

/** A call refused because the endpoint's breaker is open (or isolated by hand). */
export class ErrCircuitOpen extends StatewireError {
  constructor(name: string, details: { retryAt: number | null; isolated: boolean }) {
    super('SW_CIRCUIT_OPEN', `circuit breaker "${name}" is open`, { name, ...details });
  }
}

/** A call refused in halfOpen because the probe slots are taken. */
export class ErrTooManyRequests extends StatewireError {
  constructor(name: string, maxProbes: number) {
    super('SW_TOO_MANY_REQUESTS', `circuit breaker "${name}" is half-open and its ${maxProbes} probe(s) are in flight`, { name, maxProbes });
  }
}

/** A call through a breaker with `callTimeoutMs` that was still running at its deadline (its AbortSignal is aborted). Counts as a failure. */
export class CallTimeoutError extends StatewireError {
  constructor(name: string, timeoutMs: number) {
    super('SW_CALL_TIMEOUT', `call through circuit breaker "${name}" timed out after ${timeoutMs} ms`, { name, timeoutMs });
  }
}

/** `execute` given something that is not a function: the caller's fault, never run and never counted. */
export class InvalidCallError extends StatewireError {
  constructor(name: string, got: string) {
    super('SW_INVALID_CALL', `circuit breaker "${name}": execute needs a function, got ${got}`, { name, got });
  }
}

/** The peer could not be reached or dropped the connection (connect refused, reset, DNS). Retryable. */
export class AgentNetworkError extends StatewireError {
  constructor(endpoint: string, path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('SW_AGENT_NETWORK', `network error calling ${endpoint}${path}: ${reason}`, { endpoint, path }, { cause });
  }
}

/** The peer did not answer within the per-request timeout. Retryable. */
export class AgentTimeoutError extends StatewireError {
  constructor(endpoint: string, path: string, timeoutMs: number) {
    super('SW_AGENT_TIMEOUT', `no answer from ${endpoint}${path} within ${timeoutMs} ms`, { endpoint, path, timeoutMs });
  }
}

/**
 * The peer answered with a non-2xx status. 5xx counts as a breaker failure and (with 429) is
 * retryable; other 4xx are the caller's fault and neither open breakers nor retry.
 */
export class AgentHttpStatusError extends StatewireError {
  readonly status: number;
  /** From a `Retry-After` header, in ms, when the peer sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(endpoint: string, path: string, status: number, body: string, retryAfterMs?: number) {
    super('SW_AGENT_HTTP_STATUS', `${endpoint}${path} answered ${status}`, { endpoint, path, status, body: body.slice(0, 500), retryAfterMs });
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The peer answered 2xx with a body that is not the JSON the interface promises. */
export class AgentResponseError extends StatewireError {
  constructor(endpoint: string, path: string, reason: string) {
    super('SW_AGENT_BAD_RESPONSE', `malformed answer from ${endpoint}${path}: ${reason}`, { endpoint, path, reason });
  }
}

/** An async task the peer reports as `failed`. */
export class AgentTaskFailedError extends StatewireError {
  constructor(endpoint: string, taskId: string, reason: string) {
    super('SW_AGENT_TASK_FAILED', `task ${taskId} on ${endpoint} failed: ${reason}`, { endpoint, taskId, reason });
  }
}

/** `waitForAsyncResult` passed its overall deadline before the task finished. */
export class AgentWaitTimeoutError extends StatewireError {
  constructor(endpoint: string, taskId: string, waitedMs: number) {
    super('SW_AGENT_WAIT_TIMEOUT', `task ${taskId} on ${endpoint} not finished after ${waitedMs} ms`, { endpoint, taskId, waitedMs });
  }
}

/**
 * An agent input that cannot be sent (`task` not a string, `context` not an object, not JSON
 * serialisable: a cycle, a BigInt). The caller's fault: refused before any request, so it never
 * counts against an endpoint, never fails over and is never retried.
 */
export class InvalidAgentInputError extends StatewireError {
  constructor(agent: string, reason: string, cause?: unknown) {
    super('SW_INVALID_AGENT_INPUT', `invalid input for agent "${agent}": ${reason}`, { agent, reason }, cause === undefined ? undefined : { cause });
  }
}

/** A registry call with an instance that cannot be registered (empty id, bad endpoint, ...). */
export class InvalidInstanceError extends StatewireError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super('SW_INVALID_INSTANCE', `invalid service instance: ${reason}`, details);
  }
}

/** `register` with an id already registered at another endpoint. */
export class DuplicateInstanceError extends StatewireError {
  constructor(id: string, existingEndpoint: string, endpoint: string) {
    super('SW_DUPLICATE_INSTANCE', `instance "${id}" is already registered at ${existingEndpoint}`, { id, existingEndpoint, endpoint });
  }
}

/** An operation on an instance id the registry does not know. */
export class InstanceNotFoundError extends StatewireError {
  constructor(id: string) {
    super('SW_INSTANCE_NOT_FOUND', `no instance "${id}" is registered`, { id });
  }
}

/** No healthy instance of the service serves the agent. */
export class NoHealthyInstanceError extends StatewireError {
  constructor(service: string, agent: string) {
    super('SW_NO_HEALTHY_INSTANCE', `no healthy instance of "${service}" serves agent "${agent}"`, { service, agent });
  }
}

/** Every candidate instance was tried and failed; `attempts` lists each instance and its error. */
export class AllInstancesFailedError extends StatewireError {
  constructor(service: string, agent: string, attempts: Array<{ instanceId: string; code: string; message: string }>, cause: unknown) {
    super('SW_ALL_INSTANCES_FAILED', `all ${attempts.length} instance(s) of "${service}" failed for agent "${agent}"`, { service, agent, attempts }, { cause });
  }
}

/** `executeSequential` stopped at a failed step; `index` says which, `results` hold the steps before it. */
export class SequentialStepError extends StatewireError {
  readonly index: number;
  readonly results: readonly unknown[];
  constructor(index: number, service: string, agent: string, cause: unknown, results: readonly unknown[] = []) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('SW_SEQUENTIAL_STEP_FAILED', `step ${index} (${service}/${agent}) failed: ${reason}`, { index, service, agent, completed: results.length }, { cause });
    this.index = index;
    this.results = results;
  }
}

/** A call on a coordinator, client or breaker that is stopping or stopped (the call never ran). */
export class CallsStoppedError extends StatewireError {
  constructor(what: string) {
    super('SW_CALLS_STOPPED', `${what} is stopped`, { what });
  }
}
