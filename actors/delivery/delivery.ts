import { createHttpClient } from '../../adapters/http/request.js';
import { businessKey } from '../../adapters/delivery/task-store.js';
import { createAutoClean } from './auto-clean.js';
import { startDispatcherLoop } from './dispatcher-loop.js';
import { facadeState } from './facade-state.js';
import { KeyClaims } from './key-claims.js';
import type { AutoHttpOptions } from './options.js';
import { requestMethods } from './request-methods.js';
import { TaskRunner } from './runner.js';
import { Semaphore } from './semaphore.js';
import { resolveSettings } from './settings.js';
import { createShutdown, waitUntilIdle } from './shutdown.js';
import { createSleeper } from './sleeper.js';
import { deliveryCounters, deliveryStatus } from './status.js';
import { createStoreScan } from './store-scan.js';
import { createSubmit } from './submit.js';
import { createTaskCommands } from './task-commands.js';
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
 * The parts, each in actors/delivery/: settings (options with defaults), the runner of tasks in
 * progress, the store scan and auto-clean the loop runs, the request path (submit), per-task
 * stop/retry, drain/close (shutdown), and status/counters.
 */
export function createAutoHttp(options: AutoHttpOptions = {}): AutoHttp {
  const settings = resolveSettings(options);
  const { store, now, callbacks, maxLive, taskInput, actorOptions, logger } = settings;
  const sleeper = createSleeper(options.clock);
  const http = createHttpClient({ connections: settings.maxConcurrent, connectTimeoutMs: settings.requestTimeoutMs, ...options.http });
  const slots = new Semaphore(settings.maxConcurrent);
  const steps = attemptSteps({ store, http: http.send, slots, callbacks, requestTimeoutMs: settings.requestTimeoutMs, maxResponseBytes: settings.maxResponseBytes });
  const state = facadeState();
  const claims = new KeyClaims();

  const runner = new TaskRunner({
    logic: taskLogic(steps),
    fast: { steps, now, sleep: sleeper.sleep, ...taskInput, closed: () => state.released },
    actorOptions,
    taskInput,
    callbacks,
    logger,
    maxLive,
    draining: () => state.draining !== undefined,
    onRelease: () => {
      if (!state.draining && loop.getSnapshot().context.backlog && runner.size < maxLive / 2) loop.send({ type: 'loop.wake' });
    },
  });

  const loop = startDispatcherLoop({
    scan: createStoreScan({ store, runner, claims, state, maxLive, now }),
    cleanUp: createAutoClean({ store, runner, state, clean: settings.clean, now }),
    drain: () => waitUntilIdle(runner, settings.drainTimeoutMs),
    loopIntervalMs: options.loopIntervalMs,
    autoCleanIntervalMs: settings.clean.intervalMs,
    actorOptions,
    logger,
  });

  const { drain, close } = createShutdown({ loop, runner, state, wakeSleepers: sleeper.wakeAll, http, store, ownsStore: settings.ownsStore });
  const submit = createSubmit({ store, runner, claims, state, retry: settings.retry, maxBodyBytes: settings.maxBodyBytes, now });
  const { stopTask, retryTask } = createTaskCommands({ store, runner, claims, state });
  const sources = { loop, runner, slots, state };

  return {
    actor: loop,
    start() {
      if (!state.draining) loop.send({ type: 'loop.start' });
    },
    drain,
    stop: ((businessType?: string, businessId?: string) =>
      businessType === undefined ? close() : stopTask(businessType, businessId ?? '')) as AutoHttp['stop'],
    retry: retryTask,
    close,
    ...requestMethods(submit),
    task: async (businessType, businessId) => runner.current(businessKey(businessType, businessId)) ?? store.taskDetailByBusiness(businessType, businessId),
    status: () => deliveryStatus(sources),
    counters: () => deliveryCounters(sources),
  };
}
