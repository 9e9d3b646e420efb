import type { Commands } from './commands.js';
import type { DispatcherLoop } from './dispatcher-loop.js';
import type { LiveTasks } from './live-tasks.js';
import type { Semaphore } from './semaphore.js';
import type { DeliveryStatus } from './types.js';

/** Where the numbers live: each part counts its own, status only reads them. */
export interface StatusSources {
  loop: Pick<DispatcherLoop, 'actor' | 'storeCounts'>;
  live: Pick<LiveTasks, 'size' | 'recorded' | 'stats'>;
  slots: Pick<Semaphore, 'inUse'>;
  commands: Pick<Commands, 'stats'>;
}

/** `status()`: the loop's state and counts, tasks in progress and in the store, counters. */
export function deliveryStatus({ loop, live, slots, commands }: StatusSources): DeliveryStatus {
  const { value, context } = loop.actor.getSnapshot();
  const { storeCounts } = loop;
  const calls = commands.stats();
  return {
    state: value,
    live: live.size,
    inFlight: slots.inUse,
    tasks: storeCounts && { ...storeCounts },
    recorded: { ...live.recorded },
    attempts: live.stats.attempts,
    rejected: calls.rejected,
    duplicates: calls.duplicates,
    callbackErrors: live.stats.callbackErrors,
    loop: { scans: context.scans, picked: context.picked, cleaned: context.cleaned, errors: context.errors },
    lastError: live.stats.lastError ?? context.lastError,
  };
}

/** `counters()`: the same numbers, flat, named for a metrics exporter. */
export function deliveryCounters({ loop, live, slots, commands }: StatusSources): Record<string, number> {
  const { storeCounts } = loop;
  const calls = commands.stats();
  return {
    delivery_live: live.size,
    delivery_in_flight: slots.inUse,
    delivery_tasks_sending: storeCounts?.sending ?? 0,
    delivery_tasks_failure: storeCounts?.failure ?? 0,
    delivery_tasks_stopped: storeCounts?.stopped ?? 0,
    delivery_tasks_success: storeCounts?.success ?? 0,
    delivery_attempts_total: live.stats.attempts,
    delivery_success_total: live.recorded.success,
    delivery_failure_total: live.recorded.failure,
    delivery_stopped_total: live.recorded.stopped,
    delivery_rejected_total: calls.rejected,
    delivery_duplicates_total: calls.duplicates,
    delivery_callback_errors_total: live.stats.callbackErrors,
    delivery_loop_errors_total: loop.actor.getSnapshot().context.errors,
  };
}
