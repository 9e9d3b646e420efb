import { createHttpClient } from '../../adapters/http/request.js';
import { createCommands } from './commands.js';
import { startDispatcherLoop } from './dispatcher-loop.js';
import { createLifecycle } from './lifecycle.js';
import { LiveTasks } from './live-tasks.js';
import type { AutoHttpOptions } from './options.js';
import { Semaphore } from './semaphore.js';
import { createSleeper, resolveSettings } from './settings.js';
import { deliveryCounters, deliveryStatus } from './status.js';
import { attemptSteps, taskLogic } from './task-logic.js';
import type { AutoHttp } from './types.js';

export type { AutoCleanOptions, AutoHttpOptions, DeliveryCallbacks, RequestOptions } from './options.js';
export type { RequestSpec } from './requests.js';
export type { AutoHttp, DeliveryResult, DeliveryStatus } from './types.js';

/**
 * `createAutoHttp`: durable outbound HTTP (the seed's autohttp). A call stores its task (on disk,
 * for the file store) before the first byte is sent, makes the first attempt at once and answers
 * with it; failed attempts are retried on the task's schedule — by the task's chart actor while
 * the wait is short (≤ holdMs), by the dispatcher loop from the store otherwise and after a restart.
 *
 * The root actor (`actor`) is the dispatcher loop (machines/delivery/loop.ts). A task's first
 * attempt runs on a fast path with the chart's own decisions (delivery/first-attempt.ts); from
 * its first failure on, the task is an actor of machines/delivery/delivery.ts on the host's clock and
 * inspector.
 *
 * The parts, each in actors/delivery/ and each the only owner of its state: settings (options
 * with defaults, the sleeper), the live tasks (in progress here, their counters, key claims), the
 * dispatcher loop (scan, auto-clean, the store's counts), the commands (requests, stopTask, retry,
 * their counters), the lifecycle (drain/close, the draining and released flags), and status.
 * They refer to each other in a circle (the loop picks live tasks, a released task wakes the loop,
 * the lifecycle closes both, both read its flags): hence the closures over parts made further down.
 */
export function createAutoHttp(options: AutoHttpOptions = {}): AutoHttp {
  const settings = resolveSettings(options);
  const { store, now, callbacks, maxLive, taskInput, actorOptions, logger } = settings;
  const sleeper = createSleeper(options.clock);
  const http = createHttpClient({ connections: settings.maxConcurrent, connectTimeoutMs: settings.requestTimeoutMs, ...options.http });
  const slots = new Semaphore(settings.maxConcurrent);
  const steps = attemptSteps({ store, http: http.send, slots, callbacks, requestTimeoutMs: settings.requestTimeoutMs, maxResponseBytes: settings.maxResponseBytes, now });

  const lifecycle = createLifecycle({
    closeLoop: () => loop.close(),
    releaseTasks: () => live.releaseAll(),
    wakeSleepers: sleeper.wakeAll,
    http,
    store,
    ownsStore: settings.ownsStore,
  });
  const draining = () => lifecycle.draining;

  const live = new LiveTasks({
    logic: taskLogic(steps),
    fast: { steps, now, sleep: sleeper.sleep, ...taskInput, closed: () => lifecycle.released },
    actorOptions,
    taskInput,
    callbacks,
    logger,
    maxLive,
    draining,
    onRelease: () => loop.taskReleased(),
  });

  const loop = startDispatcherLoop({
    store, live, maxLive, clean: settings.clean, drainTimeoutMs: settings.drainTimeoutMs, draining, now,
    loopIntervalMs: options.loopIntervalMs, actorOptions, logger,
  });

  const commands = createCommands({ store, live, draining, retry: settings.retry, maxBodyBytes: settings.maxBodyBytes, now });
  const { calls } = commands;
  const sources = { loop, live, slots, commands };

  return {
    actor: loop.actor,
    start: () => loop.start(),
    drain: lifecycle.drain,
    close: lifecycle.close,
    // `stop()` is the Facade contract's (the whole actor); with a task's key it is the deprecated
    // alias of stopTask, kept for one release.
    stop: ((businessType?: string, businessId?: string) =>
      businessType === undefined ? lifecycle.close() : calls.stopTask(businessType, businessId ?? '')) as AutoHttp['stop'],
    ...calls,
    status: () => deliveryStatus(sources),
    counters: () => deliveryCounters(sources),
  };
}
