import { AgentHttpStatusError, AgentNetworkError, AgentTimeoutError, CallTimeoutError, ErrCircuitOpen, ErrTooManyRequests } from '../../errors/calls.js';

/**
 * Which errors say "the endpoint is unwell": the failure predicate of the agent client's and the
 * coordinator's breakers and the coordinator's failover and retry predicate. A 4xx is the caller's
 * fault and says nothing about the endpoint; a network error, a timeout or a 5xx does. A bare
 * breaker (createBreaker) does not use it: like the seed's Execute, it counts every error.
 */

/** Socket-level codes from Node and undici that mean the peer is unreachable or stopped answering. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** A network error or a timeout: the request may not have reached the peer, so it is safe to retry. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof AgentNetworkError || error instanceof AgentTimeoutError || error instanceof CallTimeoutError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return name === 'TimeoutError';
}

/** The HTTP status an error carries (statewire's, or any `status`/`statusCode` field), if any. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof AgentHttpStatusError) return error.status;
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' ? value : undefined;
}

/** The agent calls' breaker predicate: network errors, timeouts and 5xx count; 4xx and the rest do not. */
export function countsAsFailure(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  const status = statusOf(error);
  return status !== undefined && status >= 500;
}

/** A call the breaker refused without running it. */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof ErrCircuitOpen || error instanceof ErrTooManyRequests;
}
