import { Pool } from 'undici';
import { setTimeout as delay } from 'node:timers/promises';
import { AgentHttpStatusError, AgentNetworkError, AgentResponseError, AgentTaskFailedError, AgentTimeoutError, AgentWaitTimeoutError, CallsStoppedError, InvalidAgentInputError, InvalidInstanceError } from '../../errors/calls.js';
import { collect, ExchangeFailure } from '../http/collect.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { asAgentList, asOutput, asTaskId, asTaskStatus, parseJson } from './responses.js';
import type { AgentClient, AgentInput, AgentOutput, AsyncResult, CallGuard, WaitOptions } from './types.js';

export interface HttpAgentClientOptions {
  /** Per-request timeout: the whole exchange (connecting, the agent's work, the whole answer) within it. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Connections per endpoint pool. Default 32. */
  connections?: number;
  /** Largest answer body read; a larger one is an AgentResponseError (the rest is not read). Default 16 MiB. */
  maxResponseBytes?: number;
  /** The guard (circuit breaker) for an endpoint; called once per endpoint. Default: none. */
  guardFor?: (endpoint: string) => CallGuard;
  /** Defaults for waitForAsyncResult. */
  wait?: Omit<WaitOptions, 'signal'>;
}

export const AGENT_CLIENT_DEFAULTS = { requestTimeoutMs: 30_000, connections: 32, maxResponseBytes: 16 << 20, pollIntervalMs: 1000, waitDeadlineMs: 60_000 } as const;

interface Target {
  pool: Pool;
  origin: string;
  /** Path of the endpoint URL without its trailing slash ("" for a bare origin). */
  prefix: string;
  guard: CallGuard | undefined;
}

/**
 * The agent service client over undici: one `Pool` per endpoint (keep-alive connections reused
 * across calls), a per-request timeout, and every failure mapped to a typed error: network
 * (AgentNetworkError), timeout (AgentTimeoutError), non-2xx (AgentHttpStatusError with
 * `Retry-After`), malformed answer (AgentResponseError).
 */
export function createHttpAgentClient(options: HttpAgentClientOptions = {}): AgentClient {
  const timeoutMs = options.requestTimeoutMs ?? AGENT_CLIENT_DEFAULTS.requestTimeoutMs;
  const connections = options.connections ?? AGENT_CLIENT_DEFAULTS.connections;
  const maxResponseBytes = options.maxResponseBytes ?? AGENT_CLIENT_DEFAULTS.maxResponseBytes;
  const targets = new Map<string, Target>();
  let closed = false;

  function target(endpoint: string): Target {
    let found = targets.get(endpoint);
    if (found) return found;
    if (closed) throw new CallsStoppedError('agent client');
    if (!URL.canParse(endpoint)) throw new InvalidInstanceError(`malformed endpoint URL ${JSON.stringify(endpoint)}`, { endpoint });
    const url = new URL(endpoint);
    found = {
      pool: new Pool(url.origin, { connections, keepAliveTimeout: 10_000 }),
      origin: url.origin,
      prefix: url.pathname.replace(/\/+$/, ''),
      guard: options.guardFor?.(endpoint),
    };
    targets.set(endpoint, found);
    return found;
  }

  /** `body` is JSON text, encoded by the caller (encodeInput) before the guard sees the call. */
  async function send(endpoint: string, method: 'GET' | 'POST', path: string, body?: string, requestTimeoutMs = timeoutMs, signal?: AbortSignal): Promise<unknown> {
    const { pool, origin, prefix } = target(endpoint);
    let answer;
    try {
      answer = await collect(pool, {
        origin,
        path: prefix + path,
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body ?? null,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
        // The whole exchange too: an answer trickled a byte at a time kept its connection forever
        // (each gap under the body timeout), and enough of them queued every later call.
        deadlineMs: requestTimeoutMs,
        maxResponseBytes,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof ExchangeFailure)) throw error;
      if (error.kind === 'timeout') throw new AgentTimeoutError(endpoint, path, requestTimeoutMs);
      if (error.kind === 'too_large') throw new AgentResponseError(endpoint, path, `answer larger than ${maxResponseBytes} bytes`);
      throw new AgentNetworkError(endpoint, path, error.cause);
    }
    if (answer.statusCode >= 300) {
      throw new AgentHttpStatusError(endpoint, path, answer.statusCode, answer.body, parseRetryAfter(answer.headers['retry-after'], Date.now()) ?? undefined);
    }
    return answer.body === '' ? {} : parseJson(endpoint, path, answer.body);
  }

  /**
   * Runs a request through the endpoint's guard, when it has one, handing the request the guard's
   * signal (a breaker that times the call out abandons the request). Async: a bad endpoint rejects, never throws.
   */
  async function guarded<T>(endpoint: string, call: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const { guard } = target(endpoint);
    return guard ? guard.execute(({ signal }) => call(signal)) : call();
  }

  /** One `GET …/tasks/{taskId}` through the guard, with its own request timeout. */
  async function poll(endpoint: string, taskId: string, requestTimeoutMs: number): Promise<AsyncResult> {
    const path = `/api/v1/agents/tasks/${encodeURIComponent(taskId)}`;
    const result = await guarded(endpoint, async (signal) => asTaskStatus(endpoint, path, await send(endpoint, 'GET', path, undefined, requestTimeoutMs, signal)));
    if (result.status === 'failed') throw new AgentTaskFailedError(endpoint, taskId, result.error);
    return result;
  }

  const client: AgentClient = {
    async executeAgent(endpoint: string, agent: string, input: AgentInput): Promise<AgentOutput> {
      const path = `/api/v1/agents/${encodeURIComponent(agent)}/execute`;
      const body = encodeInput(agent, input);
      return guarded(endpoint, async (signal) => asOutput(endpoint, path, await send(endpoint, 'POST', path, body, timeoutMs, signal)));
    },
    async executeAgentAsync(endpoint: string, agent: string, input: AgentInput): Promise<string> {
      const path = `/api/v1/agents/${encodeURIComponent(agent)}/execute/async`;
      const body = encodeInput(agent, input);
      return guarded(endpoint, async (signal) => asTaskId(endpoint, path, await send(endpoint, 'POST', path, body, timeoutMs, signal)));
    },
    getAsyncResult(endpoint: string, taskId: string): Promise<AsyncResult> {
      return poll(endpoint, taskId, timeoutMs);
    },
    async waitForAsyncResult(endpoint: string, taskId: string, wait: WaitOptions = {}): Promise<AgentOutput> {
      const pollIntervalMs = wait.pollIntervalMs ?? options.wait?.pollIntervalMs ?? AGENT_CLIENT_DEFAULTS.pollIntervalMs;
      const deadlineMs = wait.deadlineMs ?? options.wait?.deadlineMs ?? AGENT_CLIENT_DEFAULTS.waitDeadlineMs;
      const started = Date.now();
      for (;;) {
        wait.signal?.throwIfAborted();
        // A poll gets no more than the time left: a peer that stops answering cannot stretch the
        // overall deadline by a whole request timeout.
        const result = await poll(endpoint, taskId, Math.max(1, Math.min(timeoutMs, started + deadlineMs - Date.now()))).catch((error: unknown) => {
          if (error instanceof AgentTimeoutError && Date.now() - started >= deadlineMs) throw new AgentWaitTimeoutError(endpoint, taskId, Date.now() - started);
          throw error;
        });
        if (result.completed) return result.output ?? {};
        const left = started + deadlineMs - Date.now();
        if (left <= 0) throw new AgentWaitTimeoutError(endpoint, taskId, Date.now() - started);
        await delay(Math.min(pollIntervalMs, left), undefined, wait.signal ? { signal: wait.signal } : {});
      }
    },
    async ping(endpoint: string, pingTimeoutMs = timeoutMs): Promise<void> {
      await send(endpoint, 'GET', '/health', undefined, pingTimeoutMs);
    },
    listAgents(endpoint: string): Promise<string[]> {
      const path = '/api/v1/agents';
      return guarded(endpoint, async (signal) => asAgentList(endpoint, path, await send(endpoint, 'GET', path, undefined, timeoutMs, signal)));
    },
    async release(endpoint: string): Promise<void> {
      const found = targets.get(endpoint);
      if (!found) return;
      targets.delete(endpoint);
      await found.pool.close().catch(() => undefined);
    },
    async close(): Promise<void> {
      closed = true;
      const pools = [...targets.values()].map((t) => t.pool);
      targets.clear();
      await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
    },
  };
  return client;
}

/**
 * The request body for an agent call, checked before anything is sent: bad input is the caller's
 * fault and must not reach the breaker as a failure (or a halfOpen probe) or look like a network error.
 */
function encodeInput(agent: string, input: AgentInput): string {
  if (typeof input !== 'object' || input === null || typeof input.task !== 'string') throw new InvalidAgentInputError(agent, 'task must be a string');
  const { context } = input;
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) throw new InvalidAgentInputError(agent, 'context must be an object');
  try {
    return JSON.stringify(input);
  } catch (error) {
    throw new InvalidAgentInputError(agent, `not JSON serialisable: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
