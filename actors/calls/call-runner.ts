import type { AgentClient, AgentInput, AgentOutput } from '../../adapters/calls/types.js';
import { AgentHttpStatusError, AllInstancesFailedError, InvalidAgentInputError, NoHealthyInstanceError, SequentialStepError } from '../../errors/calls.js';
import { describeError } from '../../errors/base.js';
import { backoffDelay, type BackoffOptions } from '../../machines/backoff.js';
import type { InstanceRecord } from '../../machines/calls/registry.js';
import { countsAsFailure, isBreakerRejection, isNetworkError } from './failure-policy.js';
import type { RegistryHandle } from './registry.js';

/** One call of `executeParallel` / `executeSequential` (the seed's AgentTask). */
export interface AgentTask {
  service: string;
  agent: string;
  input: AgentInput;
}

/** The seed's AgentTaskResult: the output, or the error, never both. */
export interface AgentTaskResult {
  task: AgentTask;
  output?: AgentOutput;
  error?: unknown;
}

export interface RetryOptions extends Partial<BackoffOptions> {
  /** Longest `Retry-After` honoured; a longer one is cut to this. Default 60 000 ms. */
  maxRetryAfterMs?: number;
}

/** Seed: retries wait 1 s, 2 s, 4 s… (exponential, factor 2), here with full jitter and a 30 s cap. */
export const RETRY_DEFAULTS = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 'full', maxRetryAfterMs: 60_000 } as const;

export type CallCounters = {
  calls: number;
  succeeded: number;
  failed: number;
  failovers: number;
  retries: number;
  in_flight: number;
  peak_in_flight: number;
};

export interface CallDeps {
  registry: RegistryHandle;
  client: AgentClient;
  retry: RetryOptions;
  /** Default cap of in-flight tasks in executeParallel. */
  maxConcurrency: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Throws when the coordinator no longer takes calls. */
  admit: () => void;
}

/**
 * How the coordinator calls agents: round-robin over healthy instances with failover, retry with
 * backoff, parallel with a cap, sequential with output passing. Plain code over the registry and
 * the client: the charts hold state, this holds none but the round-robin cursor and counters.
 */
export class CallRunner {
  readonly counts: CallCounters = { calls: 0, succeeded: 0, failed: 0, failovers: 0, retries: 0, in_flight: 0, peak_in_flight: 0 };
  readonly #cursor = new Map<string, number>();
  readonly #deps: CallDeps;

  constructor(deps: CallDeps) {
    this.#deps = deps;
  }

  /**
   * Calls `agent` on the next healthy instance of `service`. On a network error, timeout, 5xx or
   * refusing breaker it marks that instance unhealthy and fails over to the next one (never the one
   * that just failed), until every candidate was tried. A 4xx or a malformed answer is the caller's
   * problem and is thrown at once.
   */
  async executeAgent(service: string, agent: string, input: AgentInput): Promise<AgentOutput> {
    this.#deps.admit();
    const { registry, client } = this.#deps;
    const candidates = registry.getHealthyInstances(service, agent);
    if (candidates.length === 0) throw new NoHealthyInstanceError(service, agent);
    const start = this.#next(service, candidates.length);
    const attempts: Array<{ instanceId: string; code: string; message: string; retryAfterMs?: number }> = [];
    this.counts.calls++;
    this.counts.in_flight++;
    if (this.counts.in_flight > this.counts.peak_in_flight) this.counts.peak_in_flight = this.counts.in_flight;
    try {
      let lastError: unknown;
      for (let i = 0; i < candidates.length; i++) {
        const instance = candidates[(start + i) % candidates.length] as InstanceRecord;
        if (i > 0) this.counts.failovers++;
        try {
          const output = await client.executeAgent(instance.endpoint, agent, input);
          registry.markHealthy(instance.id);
          this.counts.succeeded++;
          return output;
        } catch (error) {
          if (!countsAsFailure(error) && !isBreakerRejection(error)) throw error;
          lastError = error;
          registry.markUnhealthy(instance.id);
          const retryAfterMs = error instanceof AgentHttpStatusError ? error.retryAfterMs : undefined;
          attempts.push({ instanceId: instance.id, ...describeError(error), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
        }
      }
      throw new AllInstancesFailedError(service, agent, attempts, lastError);
    } catch (error) {
      this.counts.failed++;
      throw error;
    } finally {
      this.counts.in_flight--;
    }
  }

  /**
   * `executeAgent`, retried up to `maxRetries` times on network trouble only (unreachable,
   * timed out, breakers open, no healthy instance) or when the peer said when to come back
   * (`Retry-After`, which is honoured over the backoff). Backoff: RETRY_DEFAULTS.
   */
  async executeAgentWithRetry(service: string, agent: string, input: AgentInput, maxRetries = 3): Promise<AgentOutput> {
    const retry = { ...RETRY_DEFAULTS, ...this.#deps.retry };
    // NaN would compare false forever (endless retries): it means the default; a negative, none.
    maxRetries = Number.isNaN(Number(maxRetries)) ? 3 : Math.max(0, maxRetries);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.executeAgent(service, agent, input);
      } catch (error) {
        const wait = retryDelay(error);
        if (attempt >= maxRetries || wait === null) throw error;
        this.counts.retries++;
        const backoff = backoffDelay(attempt + 1, retry, this.#deps.random);
        await this.#deps.sleep(wait === undefined ? backoff : Math.min(wait, retry.maxRetryAfterMs));
      }
    }
  }

  /** Runs every task with at most `maxConcurrency` in flight; resolves every task's output or error, in task order. */
  async executeParallel(tasks: readonly AgentTask[], maxConcurrency = this.#deps.maxConcurrency): Promise<AgentTaskResult[]> {
    this.#deps.admit();
    const results: AgentTaskResult[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const index = next++;
        const task = tasks[index]!;
        try {
          checkTask(task);
          results[index] = { task, output: await this.executeAgent(task.service, task.agent, task.input) };
        } catch (error) {
          results[index] = { task, error };
        }
      }
    };
    // A cap that is not a number (NaN, a typo'd option) must not mean zero workers: that would
    // resolve an array of holes, every task silently dropped. Fall back to the coordinator's cap.
    const cap = maxConcurrency > 0 ? maxConcurrency : Number.isNaN(Number(maxConcurrency)) ? this.#deps.maxConcurrency : 1;
    const workers = Math.max(1, Math.floor(Math.min(cap, tasks.length)) || 1);
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  }

  /**
   * Runs the tasks one after another; each task after the first gets `context.previous_output`, the
   * output of the one before. Stops at the first failure with a SequentialStepError naming the
   * step; its `results` hold the steps that completed.
   */
  async executeSequential(tasks: readonly AgentTask[]): Promise<AgentTaskResult[]> {
    const results: AgentTaskResult[] = [];
    let previous: AgentOutput | undefined;
    for (const [index, task] of tasks.entries()) {
      let input: AgentInput;
      try {
        checkTask(task);
        input = previous === undefined ? task.input : { ...task.input, context: { ...task.input.context, previous_output: previous } };
        previous = await this.executeAgent(task.service, task.agent, input);
      } catch (error) {
        throw new SequentialStepError(index, String(task?.service), String(task?.agent), error, results);
      }
      results.push({ task: { ...task, input }, output: previous });
    }
    return results;
  }

  #next(service: string, size: number): number {
    const at = this.#cursor.get(service) ?? 0;
    this.#cursor.set(service, (at + 1) % 1_000_000_007);
    return at % size;
  }
}

/** A task that is not `{ service, agent, input }` is the caller's fault: a typed error, not a TypeError. */
function checkTask(task: AgentTask): void {
  if (typeof task !== 'object' || task === null) throw new InvalidAgentInputError('?', 'a task must be { service, agent, input }');
  if (typeof task.service !== 'string' || typeof task.agent !== 'string') throw new InvalidAgentInputError(String(task.agent), 'a task needs service and agent names');
  if (typeof task.input !== 'object' || task.input === null) throw new InvalidAgentInputError(task.agent, 'a task needs an input { task, context? }');
}

/**
 * How long to wait before retrying after `error`: a number when the peer said (`Retry-After`),
 * undefined to use the backoff, null when the error is not worth a retry.
 */
export function retryDelay(error: unknown): number | null | undefined {
  if (error instanceof NoHealthyInstanceError) return undefined;
  if (error instanceof AgentHttpStatusError) return error.retryAfterMs ?? null;
  if (error instanceof AllInstancesFailedError) {
    const attempts = error.details.attempts as Array<{ code: string; retryAfterMs?: number }>;
    const after = attempts.map((a) => a.retryAfterMs).filter((ms): ms is number => ms !== undefined);
    if (after.length > 0) return Math.min(...after);
    return attempts.every((a) => NETWORK_CODES.has(a.code)) ? undefined : null;
  }
  return isNetworkError(error) || isBreakerRejection(error) ? undefined : null;
}

/** Codes of errors that mean "could not reach it", as recorded in AllInstancesFailedError attempts. */
const NETWORK_CODES = new Set(['SW_AGENT_NETWORK', 'SW_AGENT_TIMEOUT', 'SW_CALL_TIMEOUT', 'SW_CIRCUIT_OPEN', 'SW_TOO_MANY_REQUESTS']);
