import type { TaskResultPayload } from '../../adapters/link/protocol.js';
import { describeError } from '../../errors/base.js';
import { TaskHandlerMissingError } from '../../errors/link.js';

/** What a task handler gets besides its params. */
export interface TaskContext {
  requestId: string;
  taskId: string;
  type: string;
  /** Appends a line to the task's log buffer (sent batched, before the result). */
  log(line: string): void;
  /** Aborted when the link closes: a long task should stop and throw. */
  signal: AbortSignal;
}

/** Runs one task type. Its return value is the result's `output`; a throw makes a `failed` result. */
export type TaskHandler = (params: unknown, context: TaskContext) => unknown;

export interface TaskRun {
  requestId: string;
  taskId: string;
  type: string;
  params: unknown;
}

/** Where a task's reports go (the link's `Reports`). */
export interface TaskReportPorts {
  confirm(requestId: string, taskId: string): void;
  log(requestId: string, taskId: string, line: string): void;
  /** A line logged after the task's result: sent at once (no buffer would flush it in order). */
  lateLog(requestId: string, taskId: string, line: string): void;
  /** Sends the result after the task's log buffer is flushed. */
  result(requestId: string, taskId: string, result: TaskResultPayload): void;
  /** A report the link could not take (it closed): counted by the caller. */
  lost(error: unknown): void;
}

/** Remembered task ids, so a `task.run` the server re-sends after a reconnect runs once. */
const REMEMBERED_TASKS = 10_000;

/**
 * The registered task handlers, and the tasks they are running: each `task.run` frame gets its
 * confirm, its handler (several at once), then its result. An unknown task type gets a `failed`
 * result naming it; a handler's throw becomes a `failed` result.
 */
export class TaskHandlers {
  private readonly handlers = new Map<string, TaskHandler>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly seen = new Set<string>();
  /** Set by `abortAll`: the link is closing, so a task that arrives now starts aborted. */
  private abortReason: string | null = null;
  readonly counts = { started: 0, succeeded: 0, failed: 0, unknownType: 0, duplicates: 0 };

  constructor(private readonly ports: TaskReportPorts) {}

  register(type: string, handler: TaskHandler): void {
    this.handlers.set(type, handler);
  }

  run(task: TaskRun): void {
    if (this.seen.has(task.taskId)) {
      this.counts.duplicates++;
      return;
    }
    this.remember(task.taskId);
    const handler = this.handlers.get(task.type);
    if (!handler) {
      this.counts.unknownType++;
      this.counts.failed++;
      const error = new TaskHandlerMissingError(task.type, task.taskId);
      this.guard(() => this.ports.result(task.requestId, task.taskId, { status: 'failed', error: error.message }));
      return;
    }
    this.counts.started++;
    const controller = new AbortController();
    if (this.abortReason !== null) controller.abort(new Error(this.abortReason));
    let finished = false;
    this.guard(() => this.ports.confirm(task.requestId, task.taskId));
    const context: TaskContext = {
      requestId: task.requestId,
      taskId: task.taskId,
      type: task.type,
      log: (line) => this.guard(() => (finished ? this.ports.lateLog : this.ports.log)(task.requestId, task.taskId, line)),
      signal: controller.signal,
    };
    const done = (async () => {
      let result: TaskResultPayload;
      try {
        const output = await handler(task.params, context);
        assertJson(output);
        result = output === undefined ? { status: 'success' } : { status: 'success', output };
        this.counts.succeeded++;
      } catch (error) {
        result = { status: 'failed', error: describeError(error).message };
        this.counts.failed++;
      }
      this.running.delete(task.taskId);
      finished = true;
      this.guard(() => this.ports.result(task.requestId, task.taskId, result));
    })();
    this.running.set(task.taskId, { controller, done });
  }

  /** Aborts every running task's signal, and the signal of every task started from now on. */
  abortAll(reason: string): void {
    this.abortReason = reason;
    for (const { controller } of this.running.values()) controller.abort(new Error(reason));
  }

  /** Resolves when every task running now has sent its result. */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  get active(): number {
    return this.running.size;
  }

  private guard(send: () => void): void {
    try {
      send();
    } catch (error) {
      this.ports.lost(error);
    }
  }

  private remember(taskId: string): void {
    this.seen.add(taskId);
    if (this.seen.size > REMEMBERED_TASKS) this.seen.delete(this.seen.values().next().value!);
  }
}

/** Throws when `output` cannot go into a frame (a cycle, a BigInt): the task then fails, naming why. */
function assertJson(output: unknown): void {
  try {
    JSON.stringify(output);
  } catch (error) {
    throw new Error(`task output is not JSON: ${describeError(error).message}`);
  }
}
