/**
 * The remote agent service interface (HTTP JSON, as goagent's distributed package speaks it) and
 * the client port that calls it. One implementation: ./http-client.ts over undici.
 */

/** What an agent is asked to do: `task` plus free-form `context` (goagent's AgentInput). */
export interface AgentInput {
  task: string;
  context?: Record<string, unknown>;
}

/** What an agent answers: a JSON object (goagent's AgentOutput, e.g. `{ result, ... }`). */
export type AgentOutput = Record<string, unknown>;

export type AsyncTaskStatus = 'pending' | 'running' | 'completed' | 'failed';

/** One poll of an async task: `completed` only when `status` is `completed` (then `output` is set). */
export interface AsyncResult {
  status: Exclude<AsyncTaskStatus, 'failed'>;
  completed: boolean;
  output?: AgentOutput;
}

/**
 * Something that runs calls to one endpoint on the caller's behalf (a circuit breaker). The client
 * asks for one per endpoint, so an unwell endpoint is cut off without touching the others.
 */
export interface CallGuard {
  /** `signal` aborts when the guard gives up on the call (a breaker's per-call timeout): the request is abandoned, its connection freed. */
  execute<T>(fn: (context: { signal: AbortSignal }) => Promise<T>): Promise<T>;
}

export interface WaitOptions {
  /** Time between polls. Default 1000 ms (the seed's usual poll interval). */
  pollIntervalMs?: number;
  /** Overall deadline of the wait, from its start. Default 60 000 ms. */
  deadlineMs?: number;
  /** Stops waiting early (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface AgentClient {
  /** `POST {endpoint}/api/v1/agents/{agent}/execute`: the agent's output. */
  executeAgent(endpoint: string, agent: string, input: AgentInput): Promise<AgentOutput>;
  /** `POST {endpoint}/api/v1/agents/{agent}/execute/async`: the task id to poll. */
  executeAgentAsync(endpoint: string, agent: string, input: AgentInput): Promise<string>;
  /** `GET {endpoint}/api/v1/agents/tasks/{taskId}`: rejects with AgentTaskFailedError if the task failed. */
  getAsyncResult(endpoint: string, taskId: string): Promise<AsyncResult>;
  /** Polls `getAsyncResult` until the task completes, fails, or the deadline passes. */
  waitForAsyncResult(endpoint: string, taskId: string, options?: WaitOptions): Promise<AgentOutput>;
  /** `GET {endpoint}/health`, bypassing the breaker (a health check must see recovery). */
  ping(endpoint: string, timeoutMs?: number): Promise<void>;
  /** `GET {endpoint}/api/v1/agents`: the agent names. */
  listAgents(endpoint: string): Promise<string[]>;
  /**
   * Forgets one endpoint: its pool closes once its in-flight requests settled and its guard is
   * dropped; a later call to it starts afresh. For endpoints that left the registry.
   */
  release(endpoint: string): Promise<void>;
  /** Destroys every connection pool; calls in flight reject. Idempotent. */
  close(): Promise<void>;
}
