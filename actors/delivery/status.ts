import type { DispatcherLoop } from './dispatcher-loop.js';
import type { FacadeState } from './facade-state.js';
import type { TaskRunner } from './runner.js';
import type { Semaphore } from './semaphore.js';
import type { DeliveryStatus } from './types.js';

export interface StatusSources {
  loop: DispatcherLoop;
  runner: TaskRunner;
  slots: Semaphore;
  state: FacadeState;
}

/** `status()`: the loop's state and counts, tasks in progress and in the store, counters. */
export function deliveryStatus({ loop, runner, slots, state }: StatusSources): DeliveryStatus {
  const { value, context } = loop.getSnapshot();
  return {
    state: value,
    live: runner.size,
    inFlight: slots.inUse,
    tasks: state.storeCounts && { ...state.storeCounts },
    recorded: { ...runner.recorded },
    attempts: runner.stats.attempts,
    rejected: state.stats.rejected,
    duplicates: state.stats.duplicates,
    callbackErrors: runner.stats.callbackErrors,
    loop: { scans: context.scans, picked: context.picked, cleaned: context.cleaned, errors: context.errors },
    lastError: runner.stats.lastError ?? context.lastError,
  };
}

/** `counters()`: the same numbers, flat, named for a metrics exporter. */
export function deliveryCounters({ loop, runner, slots, state }: StatusSources): Record<string, number> {
  const { storeCounts, stats } = state;
  return {
    delivery_live: runner.size,
    delivery_in_flight: slots.inUse,
    delivery_tasks_sending: storeCounts?.sending ?? 0,
    delivery_tasks_failure: storeCounts?.failure ?? 0,
    delivery_tasks_stopped: storeCounts?.stopped ?? 0,
    delivery_tasks_success: storeCounts?.success ?? 0,
    delivery_attempts_total: runner.stats.attempts,
    delivery_success_total: runner.recorded.success,
    delivery_failure_total: runner.recorded.failure,
    delivery_stopped_total: runner.recorded.stopped,
    delivery_rejected_total: stats.rejected,
    delivery_duplicates_total: stats.duplicates,
    delivery_callback_errors_total: runner.stats.callbackErrors,
    delivery_loop_errors_total: loop.getSnapshot().context.errors,
  };
}
