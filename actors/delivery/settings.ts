import { join } from 'node:path';
import { silentLogger } from '../../adapters/logger.js';
import { fileStore } from '../../adapters/delivery/file.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { defaultRetrySchedule } from '../../machines/delivery/schedule.js';
import { validateAutoHttpOptions, type AutoHttpOptions } from './options.js';
import { hostActorOptions } from '../host.js';

/** The host's clock and inspector as given to every actor: only the keys the host set. */
export type ActorHostOptions = Pick<AutoHttpOptions, 'clock' | 'inspect'>;

/** The options of `createAutoHttp`, checked and with every default filled in. */
export function resolveSettings(options: AutoHttpOptions) {
  validateAutoHttpOptions(options);
  const logger = options.logger ?? silentLogger;
  const ownsStore = options.store === undefined;
  const store: TaskStore<DeliveryTask> = options.store ?? fileStore<DeliveryTask>(options.storeDir ?? join(process.cwd(), '.statewire', 'delivery'));
  const maxConcurrent = options.maxConcurrent ?? 64;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? requestTimeoutMs + 1000;
  const retry = options.retry ?? defaultRetrySchedule;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const clean = { enabled: false, successAgeMs: 0, failureAgeMs: 0, stoppedAgeMs: 0, intervalMs: 3_600_000, ...options.autoClean };
  const taskInput = { taskAddIfSuccess: options.taskAddIfSuccess ?? false, holdMs: options.holdMs ?? 60_000 };
  /** The scan keeps at most this many tasks in progress (queued attempts wait for a slot). */
  const maxLive = maxConcurrent * 4;
  // Only the keys the host gave: XState spreads options over its defaults, so `clock: undefined`
  // would remove the default clock.
  const actorOptions: ActorHostOptions = {
    ...hostActorOptions({ clock: options.clock, inspect: options.inspect }),
  };
  const now = () => (options.clock as { now?: () => number } | undefined)?.now?.() ?? Date.now();
  const callbacks = options.callbacks ?? {};
  return {
    logger, ownsStore, store, maxConcurrent, requestTimeoutMs, drainTimeoutMs, retry, maxBodyBytes, maxResponseBytes,
    clean, taskInput, maxLive, actorOptions, now, callbacks,
  };
}

export type DeliverySettings = ReturnType<typeof resolveSettings>;

/**
 * Sleeps on the host's clock (store backoffs of first attempts). `wakeAll` (close) wakes every
 * sleeper at once (they then give up) so no timer outlives the facade.
 */
export function createSleeper(clock: AutoHttpOptions['clock']) {
  const sleeping = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timers = clock ?? globalThis;
      const wake = () => {
        sleeping.delete(wake);
        timers.clearTimeout(handle);
        resolve();
      };
      const handle = timers.setTimeout(wake, ms);
      sleeping.add(wake);
    });
  const wakeAll = () => {
    for (const wake of [...sleeping]) wake();
  };
  return { sleep, wakeAll };
}
