import { AgentResponseError } from '../../errors/calls.js';
import type { AgentOutput, AsyncResult, AsyncTaskStatus } from './types.js';

/**
 * Reading the agent service's answers: every shape the interface promises is checked, so a
 * malformed answer becomes an AgentResponseError with the reason instead of an undefined later.
 */

export function parseJson(endpoint: string, path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentResponseError(endpoint, path, `not JSON: ${text.slice(0, 80)}`);
  }
}

export function asOutput(endpoint: string, path: string, body: unknown): AgentOutput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AgentResponseError(endpoint, path, 'output is not a JSON object');
  return body as AgentOutput;
}

export function asTaskId(endpoint: string, path: string, body: unknown): string {
  const taskId = (body as { task_id?: unknown } | null)?.task_id;
  if (typeof taskId !== 'string' || taskId === '') throw new AgentResponseError(endpoint, path, 'no task_id');
  return taskId;
}

export function asAgentList(endpoint: string, path: string, body: unknown): string[] {
  const agents = (body as { agents?: unknown } | null)?.agents;
  if (!Array.isArray(agents) || agents.some((agent) => typeof agent !== 'string')) throw new AgentResponseError(endpoint, path, 'agents is not a list of names');
  return agents as string[];
}

const STATUSES = new Set<AsyncTaskStatus>(['pending', 'running', 'completed', 'failed']);

/** A task poll: the status, plus the failure reason when it failed. */
export function asTaskStatus(endpoint: string, path: string, body: unknown): AsyncResult | { status: 'failed'; error: string } {
  const { status, output, error } = (body ?? {}) as { status?: unknown; output?: unknown; error?: unknown };
  if (typeof status !== 'string' || !STATUSES.has(status as AsyncTaskStatus)) throw new AgentResponseError(endpoint, path, `unknown task status ${JSON.stringify(status)}`);
  if (status === 'failed') return { status, error: typeof error === 'string' ? error : 'unknown error' };
  if (status === 'completed') return { status, completed: true, output: asOutput(endpoint, path, output ?? {}) };
  return { status: status as 'pending' | 'running', completed: false };
}
