import { ConfigError } from '../../errors/base.js';
import type { HostEnv } from '../host.js';
import type { HttpClientOptions } from '../../adapters/http/request.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { scheduleProblem, type RetrySchedule } from '../../machines/delivery/schedule.js';

/**
 * The seed's StatusCallbackInterface. Every callback may be async; a callback that throws never
 * crashes the actor: a throwing `onTaskBuilding` or `onTaskResultValid` fails that attempt (it is
 * retried on schedule), a throwing `onTaskStatusUpdate` is counted and logged.
 */
export interface DeliveryCallbacks {
  /**
   * Before each attempt, with a copy of the task: change its `url`, `method`, `headers` or `body`
   * (sign it), in place or by returning the changed copy. The change applies to that attempt only.
   */
  onTaskBuilding?(item: DeliveryTask): void | DeliveryTask | Promise<void | DeliveryTask>;
  /**
   * Decides whether an answer is a success. Return `true` / nothing to accept, `false` or a reason
   * (string) to reject (the attempt then fails and is retried). Default: accept 2xx.
   */
  onTaskResultValid?(item: DeliveryTask, statusCode: number, body: string): boolean | string | void | Promise<boolean | string | void>;
  /** After every recorded status change; `errMessage` is why the attempt failed ('' if it did not). */
  onTaskStatusUpdate?(item: DeliveryTask, errMessage: string): void | Promise<void>;
}

export interface AutoCleanOptions {
  /** Default false (seed: AutoCleanEnable). */
  enabled?: boolean;
  /** Delete `success` tasks created longer ago than this. 0 (default) keeps them. */
  successAgeMs?: number;
  /** Delete `failure` tasks created longer ago than this. 0 (default) keeps them. */
  failureAgeMs?: number;
  /** Delete `stopped` tasks created longer ago than this. 0 (default) keeps them. */
  stoppedAgeMs?: number;
  /** How often. Default 3 600 000 ms (seed: AutoCleanLoopInterval, 1 h). */
  intervalMs?: number;
}

export interface AutoHttpOptions extends Partial<Omit<HostEnv, 'id'>> {
  /** The id the host knows this actor by. Default 'delivery'. */
  id?: string;
  /** Where tasks live. Default: `fileStore(storeDir)`, owned and closed by the actor. */
  store?: TaskStore<DeliveryTask>;
  /** Directory of the default file store. Default `.statewire/delivery` under the working directory. */
  storeDir?: string;
  /** How often the store is scanned for due tasks. Default 3000 ms (seed: LoopInterval 3 s). */
  loopIntervalMs?: number;
  /** The default retry schedule of new tasks. Default: step, every 60 000 ms, unlimited (seed). */
  retry?: RetrySchedule;
  autoClean?: AutoCleanOptions;
  /** Keep tasks that succeeded on their first attempt. Default false (seed: TaskAddIfSuccess). */
  taskAddIfSuccess?: boolean;
  callbacks?: DeliveryCallbacks;
  /** Requests in flight at once. Default 64. */
  maxConcurrent?: number;
  /** Bounds each attempt's whole HTTP exchange, from connecting to the answer's last byte. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Largest request body accepted. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest answer read; a larger one fails the attempt. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Longest retry wait an in-memory actor sits out; longer ones are left to the loop. Default 60 000 ms. */
  holdMs?: number;
  /** How long `stop()` waits for in-flight attempts. Default requestTimeoutMs + 1000 ms. */
  drainTimeoutMs?: number;
  /** undici dispatcher options (a custom Agent, connections per origin). */
  http?: HttpClientOptions;
}

/** Per call: overrides of the facade's defaults for this task. */
export interface RequestOptions {
  retry?: RetrySchedule;
}

/**
 * Refuses options that cannot work, before anything is opened (a typed ConfigError): a
 * concurrency of 0 or NaN left every request waiting for a slot forever, a NaN timeout timed
 * every request out at once, a zero loop interval scanned the store in a busy loop.
 */
export function validateAutoHttpOptions(options: AutoHttpOptions): void {
  const check = (key: string, value: number | undefined, min: number, integer = false) => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new ConfigError(`${key} must be ${integer ? 'an integer' : 'a number'} >= ${min}`, { [key]: value });
    }
  };
  check('maxConcurrent', options.maxConcurrent, 1, true);
  check('loopIntervalMs', options.loopIntervalMs, 1);
  check('requestTimeoutMs', options.requestTimeoutMs, 1);
  check('autoClean.intervalMs', options.autoClean?.intervalMs, 1);
  for (const key of ['maxBodyBytes', 'maxResponseBytes', 'holdMs', 'drainTimeoutMs'] as const) check(key, options[key], 0);
  for (const key of ['successAgeMs', 'failureAgeMs', 'stoppedAgeMs'] as const) check(`autoClean.${key}`, options.autoClean?.[key], 0);
  const problem = options.retry && scheduleProblem(options.retry);
  if (problem) throw new ConfigError(`retry: ${problem}`, { retry: options.retry });
}
