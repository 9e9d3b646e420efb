import { backoffDelay } from '../../machines/backoff.js';
import { attemptErrorCodes, beginAttempt, errorCodeOf, failed, stopped, succeeded, type DeliveryCommand } from '../../machines/delivery/outcome.js';
import type { AttemptResponse, DeliveryTask } from '../../machines/delivery/task.js';
import type { AttemptSteps } from './task-logic.js';

/**
 * A new task's first attempt, off the chart (DESIGN: hot paths stay off the event loop of the
 * chart). It walks the chart's own path — building → sending → validating → success | failure,
 * recorded before it returns — with the chart's own decisions (machines/delivery/outcome.ts), but
 * without an actor: an XState actor per delivery costs more than the HTTP exchange it guards.
 * A task that fails is then handed to the chart (at `resume`) or parked for the loop.
 */
export interface FirstAttemptControl {
  /** Where the attempt is, in the chart's terms: a command means what it means in that state. */
  phase: 'building' | 'sending' | 'recording';
  /** A stop came in while building: nothing is sent, the attempt ends stopped (building → stopping). */
  halted: boolean;
  /**
   * While sending: a stop to apply to the answer. While recording: the stop or retry that the
   * chart would apply at `resume` once the write lands (LiveTasks hands it to the chart).
   */
  command: DeliveryCommand | null;
}

export const attemptControl = (): FirstAttemptControl => ({ phase: 'building', halted: false, command: null });

/**
 * A `stop` / `retry` for a task on the fast path, with the meaning the chart gives it in the same
 * state: building — stop → stopping, retry unhandled; sending / validating — stop is requested,
 * retry cancels it; failure (recording) — the latest of stop / retry is pending; stopping —
 * retry is pending, stop is moot. (A success being recorded ignores both; LiveTasks checks.)
 */
export function commandArrived(control: FirstAttemptControl, type: DeliveryCommand): void {
  if (control.phase === 'building' && !control.halted) {
    if (type === 'stop') control.halted = true;
  } else if (control.phase === 'sending') {
    control.command = type === 'stop' ? 'stop' : null;
  } else if (type === 'retry' || !control.halted) {
    control.command = type;
  }
}

export interface FirstAttemptDeps {
  steps: AttemptSteps;
  now(): number;
  sleep(ms: number): Promise<void>;
  taskAddIfSuccess: boolean;
  holdMs: number;
  /** True once the facade closes: a store write that keeps failing is given up then. */
  closed(): boolean;
}

export interface FirstAttemptOutcome {
  /** The task as recorded. */
  task: DeliveryTask;
  discard: boolean;
  /** The next retry is further than holdMs: leave it to the loop. */
  park: boolean;
  response: AttemptResponse | null;
  error: string | null;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the attempt and records its outcome. `decided` is called once the outcome is known and
 * before it is written: the caller's answer does not wait for the write (the task itself was on
 * disk before the first byte was sent; a crash before this write means one more attempt after the
 * restart — at-least-once, as for a crash mid-request).
 */
export async function firstAttempt(
  task: DeliveryTask,
  control: FirstAttemptControl,
  deps: FirstAttemptDeps,
  decided?: (outcome: FirstAttemptOutcome) => void,
): Promise<FirstAttemptOutcome> {
  const attempt = beginAttempt(task, deps.now());
  let response: AttemptResponse | null = null;
  let error: string | null = null;
  let errorCode: string | null = null;
  let accepted = false;
  let request;
  try {
    request = await deps.steps.build(attempt);
  } catch (cause) {
    error = `onTaskBuilding failed: ${errorText(cause)}`;
    errorCode = attemptErrorCodes.callbackFailed;
  }
  if (control.halted) {
    // Stopped before a byte was sent: like `task.stop` in `building` (whatever the build did).
    const outcome = { task: stopped(attempt), discard: false, park: false, response: null, error: null };
    control.phase = 'recording';
    decided?.(outcome);
    await record(outcome.task, false, deps);
    return outcome;
  }
  control.phase = 'sending';
  if (request) {
    try {
      response = await deps.steps.send(request);
    } catch (cause) {
      error = errorText(cause);
      errorCode = errorCodeOf(cause, attemptErrorCodes.requestFailed);
    }
  }
  if (response) {
    try {
      const verdict = await deps.steps.validate(attempt, response);
      accepted = verdict.ok;
      if (!verdict.ok) {
        error = verdict.reason ?? 'answer rejected';
        errorCode = attemptErrorCodes.rejected;
      }
    } catch (cause) {
      error = `onTaskResultValid failed: ${errorText(cause)}`;
      errorCode = attemptErrorCodes.callbackFailed;
    }
  }
  const at = deps.now();
  const decision = accepted
    ? { ...succeeded(attempt, response, at, deps.taskAddIfSuccess), park: false }
    : { ...failed(attempt, response, error, control.command, at, deps.holdMs, errorCode), discard: false };
  const outcome = { ...decision, response, error: accepted ? null : error };
  // The decision used the pending stop (markFailure clears it); what comes next applies after the write.
  control.command = null;
  control.phase = 'recording';
  decided?.(outcome);
  await record(outcome.task, outcome.discard, deps);
  return outcome;
}

/** The chart's `saving ⇄ retrying`: the same backoff, until the write lands or the facade closes. */
async function record(task: DeliveryTask, discard: boolean, deps: FirstAttemptDeps): Promise<void> {
  for (let failures = 1; ; failures++) {
    try {
      await deps.steps.record(task, discard);
      return;
    } catch (cause) {
      if (deps.closed()) throw cause;
      await deps.sleep(backoffDelay(failures, { initialMs: 100, maxMs: 30_000, jitter: 'none' }));
    }
  }
}
