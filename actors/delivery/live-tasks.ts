import { createActor, type Actor, type ActorOptions } from 'xstate';
import type { Logger } from '../../adapters/logger.js';
import { businessKey, type StoredStatus } from '../../adapters/delivery/task-store.js';
import { describeError } from '../../errors/base.js';
import type { DeliveryEmitted } from '../../machines/delivery/delivery.js';
import type { DeliveryCommand } from '../../machines/delivery/outcome.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { attemptControl, commandArrived, firstAttempt, type FirstAttemptControl, type FirstAttemptDeps, type FirstAttemptOutcome } from './first-attempt.js';
import type { DeliveryCallbacks } from './options.js';
import type { TaskLogic } from './task-logic.js';
import type { DeliveryResult } from './types.js';

/** One task in progress here: on the fast path (its first attempt, no actor) or in its chart actor. */
interface TaskEntry {
  key: string;
  /** The chart actor, once the task has one. */
  actor?: Actor<TaskLogic>;
  /** On the fast path: the task as last decided, and the command that came in meanwhile. */
  task: DeliveryTask;
  fast?: FirstAttemptControl;
  /** Attempts already counted. */
  attempts: number;
  /** The caller of the call that created the task; answered once, with the first attempt. */
  answer?: (result: DeliveryResult) => void;
}

export interface LiveTasksDeps {
  logic: TaskLogic;
  fast: FirstAttemptDeps;
  /** Passed to every task actor: the host's clock and inspector. */
  actorOptions: Pick<ActorOptions<TaskLogic>, 'clock' | 'inspect'>;
  taskInput: { taskAddIfSuccess: boolean; holdMs: number };
  callbacks: DeliveryCallbacks;
  logger: Logger;
  /** Tasks in progress above which a failed first attempt is parked for the loop instead of kept. */
  maxLive: number;
  /** True while the facade drains: failed first attempts are left to the store, not kept. */
  draining(): boolean;
  /** Called after a task left this process (so the loop can pick more). */
  onRelease(): void;
}

/**
 * The tasks in progress in this process, and the bookkeeping they share: the counters of attempts
 * and recorded changes, the status callback, the answer to the caller who created a task. Also
 * the business keys claimed by calls working on the store outside these tasks. The scan, `stopTask`,
 * `retry` and `task` all look here first; the counters change only here.
 */
export class LiveTasks {
  private readonly byId = new Map<number, TaskEntry>();
  private readonly byKey = new Map<string, TaskEntry>();
  /** Counted: concurrent calls on one key each hold a claim until they are done. */
  private readonly claims = new Map<string, number>();
  readonly #recorded: Record<StoredStatus, number> = { sending: 0, success: 0, failure: 0, stopped: 0 };
  readonly #stats = { attempts: 0, callbackErrors: 0, lastError: null as string | null };
  constructor(private readonly deps: LiveTasksDeps) {}

  get size(): number {
    return this.byId.size;
  }

  /** Recorded status changes in this process, by status. */
  get recorded(): Readonly<Record<StoredStatus, number>> {
    return this.#recorded;
  }

  get stats(): Readonly<{ attempts: number; callbackErrors: number; lastError: string | null }> {
    return this.#stats;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** The task as it is now, when it is in progress here. */
  current(key: string): DeliveryTask | undefined {
    const entry = this.byKey.get(key);
    return entry && this.taskOf(entry);
  }

  /**
   * A call is creating, stopping or retrying the stored task of `key`: the scan leaves it alone
   * until `unclaim`. A caller that hands the task over here unclaims just before (with no await
   * in between), so the scan never sees the key neither claimed nor in progress.
   */
  claim(key: string): void {
    this.claims.set(key, (this.claims.get(key) ?? 0) + 1);
  }

  unclaim(key: string): void {
    const held = (this.claims.get(key) ?? 1) - 1;
    if (held > 0) this.claims.set(key, held);
    else this.claims.delete(key);
  }

  isClaimed(key: string): boolean {
    return this.claims.has(key);
  }

  /** True while some task is mid-attempt or being recorded (not just waiting for its next retry). */
  busy(): boolean {
    for (const { actor } of this.byId.values()) if (!actor || !actor.getSnapshot().matches('waiting')) return true;
    return false;
  }

  /** The loop's drain: waiting tasks leave, then wait (bounded) until no attempt is in flight or being recorded. */
  async waitUntilIdle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.releaseWaiting();
      if (!this.busy() || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** `task.stop` / `task.retry` to a task in progress; false when it is not in progress here. */
  command(key: string, type: DeliveryCommand): boolean {
    const entry = this.byKey.get(key);
    if (!entry) return false;
    if (entry.actor) entry.actor.send({ type: type === 'stop' ? 'task.stop' : 'task.retry' });
    else if (entry.fast) commandArrived(entry.fast, type);
    return true;
  }

  /** A status change written to the store: counters and the status callback. */
  recordedChange(task: DeliveryTask, error: string | null): void {
    this.#recorded[task.status]++;
    if (error) this.#stats.lastError = error;
    const callback = this.deps.callbacks.onTaskStatusUpdate;
    if (!callback) return;
    const failed = (cause: unknown) => {
      this.#stats.callbackErrors++;
      this.deps.logger.warn('onTaskStatusUpdate threw', { taskId: task.id, error: describeError(cause) });
    };
    try {
      Promise.resolve(callback(structuredClone(task), error ?? '')).catch(failed);
    } catch (cause) {
      failed(cause);
    }
  }

  /** A new task's first attempt, on the fast path; resolves the caller with it. */
  first(task: DeliveryTask, answer: (result: DeliveryResult) => void): void {
    this.attemptFirst(task, answer).catch((error: unknown) => {
      this.#stats.lastError = describeError(error).message;
      this.deps.logger.error('delivery first attempt failed', { taskId: task.id, error: describeError(error) });
    });
  }

  /**
   * Gives a task its chart actor: an attempt now, or (a failure) a wait until it is due. `command`:
   * a stop or retry still to apply, which the chart does first thing (at `resume`).
   */
  run(
    task: DeliveryTask,
    entry: TaskEntry = { key: businessKey(task.businessType, task.businessId), task, attempts: task.attempts },
    command?: DeliveryCommand,
  ): void {
    const actor = createActor(this.deps.logic, { input: { task, ...this.deps.taskInput, command }, ...this.deps.actorOptions });
    entry.fast = undefined;
    entry.actor = actor;
    entry.attempts = task.attempts;
    this.track(task.id, entry);
    actor.on('task.recorded', (event: DeliveryEmitted) => {
      this.recordedChange(event.task, event.error);
      this.answer(entry, event.task, event.response, event.error);
    });
    actor.subscribe({
      next: (snapshot) => {
        const { attempts } = snapshot.context.task;
        if (attempts > entry.attempts) {
          this.#stats.attempts += attempts - entry.attempts;
          entry.attempts = attempts;
        }
        if (snapshot.status === 'done' || snapshot.value === 'stopped') this.release(entry, task.id);
      },
      error: (error) => {
        this.#stats.lastError = describeError(error).message;
        this.deps.logger.error('delivery task actor failed', { taskId: task.id, error: describeError(error) });
        this.release(entry, task.id);
      },
    });
    actor.start();
  }

  /** Drain: tasks only waiting for their next retry leave now (their state is in the store). */
  releaseWaiting(): void {
    for (const [id, entry] of [...this.byId]) if (entry.actor?.getSnapshot().matches('waiting')) this.release(entry, id);
  }

  /** Close: every task leaves (its state is in the store); requests still open die with the HTTP client. */
  releaseAll(): void {
    for (const [id, entry] of [...this.byId]) this.release(entry, id);
  }

  private async attemptFirst(task: DeliveryTask, answer: (result: DeliveryResult) => void): Promise<void> {
    const control: FirstAttemptControl = attemptControl();
    const entry: TaskEntry = { key: businessKey(task.businessType, task.businessId), task, fast: control, answer, attempts: 1 };
    this.track(task.id, entry);
    this.#stats.attempts++;
    let outcome: FirstAttemptOutcome;
    try {
      outcome = await firstAttempt(task, control, this.deps.fast, (decided) => {
        entry.task = decided.task;
        this.answer(entry, decided.task, decided.response, decided.error);
      });
    } catch (error) {
      // Not recorded (the facade is closing): the store keeps it as sending, the next start retries it.
      this.#stats.lastError = describeError(error).message;
      this.release(entry, task.id);
      return;
    }
    this.recordedChange(outcome.task, outcome.error);
    if (this.byId.get(task.id) !== entry) return; // released by close
    // A command that came in while the outcome was being written: the chart applies it at `resume`
    // (and records a stop with its store backoff), exactly as if the whole attempt had run there.
    const { status } = outcome.task;
    const late = status === 'success' ? null : control.command;
    if (late === 'retry' || (late === 'stop' && status === 'failure')) return this.run(outcome.task, entry, late);
    // Waiting tasks cost memory: beyond maxLive (or while draining) they wait in the store, and the loop picks them up.
    if (status === 'failure' && !outcome.park && !this.deps.draining() && this.byId.size <= this.deps.maxLive) {
      return this.run(outcome.task, entry);
    }
    this.release(entry, task.id);
  }

  private taskOf(entry: TaskEntry): DeliveryTask {
    return entry.actor?.getSnapshot().context.task ?? entry.task;
  }

  private answer(entry: TaskEntry, task: DeliveryTask, response: { statusCode: number; body: string } | null, error: string | null) {
    const answer = entry.answer;
    if (!answer) return;
    entry.answer = undefined;
    answer({
      taskId: task.id, created: true, status: task.status, statusCode: response?.statusCode ?? 0, body: response?.body ?? '',
      error, errorCode: error ? task.lastErrorCode || null : null,
    });
  }

  private track(id: number, entry: TaskEntry) {
    this.byId.set(id, entry);
    this.byKey.set(entry.key, entry);
  }

  /** Forgets a task that reached a resting point (or was cut short by close). */
  private release(entry: TaskEntry, id: number) {
    if (this.byId.get(id) !== entry) return;
    this.byId.delete(id);
    this.byKey.delete(entry.key);
    entry.actor?.stop();
    const task = this.taskOf(entry);
    if (entry.answer) this.answer(entry, task, null, 'delivery stopped before an answer');
    this.deps.onRelease();
  }
}
