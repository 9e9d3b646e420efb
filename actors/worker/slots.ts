import { Fifo } from '../../adapters/worker/fifo.js';
import { decodeJob, encodeJob } from '../../adapters/worker/codec.js';
import type { JobRecord, PulledJob } from '../../adapters/worker/types.js';
import { describeError } from '../../errors/base.js';
import { ErrWorkerNotRegistry, JobTimeoutError } from '../../errors/worker.js';
import type { Clock } from '../../machines/clock.js';
import { hasRetriesLeft, jobRetryDelayMs } from '../../machines/worker/job-retry.js';
import type { Acknowledger } from './acks.js';
import { JobDeadline } from './timeout.js';

/** Longest error message stored with a job (it is written to the backend twice: data and errors). */
const MAX_ERROR_LENGTH = 4096;

/** A failure's message, whatever `perform` threw: never throws itself, never unbounded. */
export function failureMessage(error: unknown): string {
  let message: string;
  try {
    message = describeError(error).message;
  } catch {
    message = 'unprintable error thrown by perform';
  }
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}… (${message.length} chars)` : message;
}

/** What a worker's `perform` receives (the seed's Context). */
export interface JobContext<P = unknown> {
  /** The job as stored, retries and last error included. */
  readonly meta: Readonly<JobRecord>;
  readonly payload: P;
  /**
   * Aborted when the runner's drain deadline passes (the job goes back to ready) or when the job
   * ran past its timeout (reason: a `JobTimeoutError`; the job has failed already).
   */
  readonly signal: AbortSignal;
  /** Which runner runs it. */
  readonly runnerId: string;
}

export interface Worker<P = unknown> {
  name: string;
  perform(ctx: JobContext<P>): unknown;
  /**
   * Longest run of one perform, ms; past it the signal is aborted and the job failed at once.
   * Default the runner's `jobTimeoutMs` (none: unlimited); `Infinity` opts out of that default.
   */
  timeoutMs?: number;
}

export interface SlotCounters {
  exec: number;
  fail: number;
  dead: number;
  malformed: number;
  /** Jobs failed by their timeout. */
  timeout: number;
}

/**
 * The runner's hot path, kept out of the chart: a buffer of pulled jobs, `threads` slots that
 * perform them; finished and failed jobs go to the Acknowledger, which flushes them in batches.
 * A sync no-op job costs a map insert, a call and an array push.
 */
export class JobSlots {
  readonly held = new Map<string, JobRecord>();
  readonly buffer = new Fifo<JobRecord>();
  readonly counters: SlotCounters = { exec: 0, fail: 0, dead: 0, malformed: 0, timeout: 0 };
  /** Performs in a slot, overdue ones included. */
  running = 0;
  /**
   * Performs that ran past their timeout and ignore their signal: their job has failed already,
   * but each keeps its slot until it really settles, so at most `threads` performs ever run at once.
   */
  overdue = 0;
  /** When set, no buffered job starts (draining). */
  closed = false;
  private pumping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly options: {
      /** Where finished and failed jobs go (flushed in batches). */
      acks: Acknowledger;
      threads: number;
      runnerId: string;
      workers: ReadonlyMap<string, Worker>;
      signal: AbortSignal;
      /** Timers of job timeouts (XState's clock port: SimulatedClock in tests). */
      clock: Clock;
      /** Timeout of a worker without its own `timeoutMs`; undefined: none. */
      jobTimeoutMs: number | undefined;
      now: () => number;
      retryDelayMs: (retryCount: number) => number;
      /** Called when a job left the held set (the facade may tell a saturated chart). */
      onFreed: () => void;
    },
  ) {}

  /** Takes a pulled batch: decodes it, parks malformed data for the dead set, buffers the rest. */
  accept(jobs: readonly PulledJob[]): void {
    for (const pulled of jobs) {
      if (pulled.data === null) continue;
      let record: JobRecord;
      try {
        record = decodeJob(pulled.id, pulled.data);
      } catch (error) {
        this.counters.malformed++;
        this.counters.dead++;
        this.options.acks.failures.push({ id: pulled.id, retryAt: null, error: describeError(error).message });
        continue;
      }
      this.held.set(record.id, record);
      this.buffer.push(record);
    }
    if (this.options.acks.failures.length) this.options.acks.schedule();
    this.pump();
  }

  /** Starts buffered jobs while slots are free. Re-entrant calls (sync jobs) fold into the loop. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.running < this.options.threads && this.buffer.length > 0) {
        this.start(this.buffer.shift()!);
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Resolves once no job whose outcome counts is running: overdue performs are not waited for (their
   * jobs failed already; waiting would hold a drain for a perform that may never settle).
   */
  whenIdle(): Promise<void> {
    if (this.running === this.overdue) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets every held job (they are handed back by the backend) and returns their ids. */
  abandon(): string[] {
    const ids = [...this.held.keys()];
    this.held.clear();
    while (this.buffer.shift() !== undefined);
    return ids;
  }

  private start(record: JobRecord): void {
    const worker = this.options.workers.get(record.name);
    this.running++;
    if (!worker) {
      this.failed(record, new ErrWorkerNotRegistry(record.name));
      return;
    }
    const timeoutMs = worker.timeoutMs ?? this.options.jobTimeoutMs;
    // Only a job with a timeout gets a signal of its own: the common path costs no controller, listener or timer.
    const deadline = timeoutMs !== undefined && timeoutMs !== Infinity ? new JobDeadline(this.options.signal, this.options.clock) : undefined;
    let result: unknown;
    try {
      result = worker.perform({ meta: record, payload: record.payload, signal: deadline?.signal ?? this.options.signal, runnerId: this.options.runnerId });
    } catch (error) {
      deadline?.dispose();
      this.failed(record, error);
      return;
    }
    if (!isThenable(result)) {
      deadline?.dispose();
      this.done(record);
    } else if (deadline) {
      this.awaitWithin(record, result, deadline, timeoutMs!);
    } else {
      result.then(
        () => this.done(record),
        (error: unknown) => this.failed(record, error),
      );
    }
  }

  /**
   * A perform with a timeout. Its timer starts once perform returned a promise (synchronous code
   * cannot be interrupted). At the timeout the job fails at once and its signal is aborted; the
   * perform keeps its slot until it settles, and that late settlement is ignored (`expired`): the
   * job was acknowledged as failed, and may meanwhile be running again (a retry), here or elsewhere.
   */
  private awaitWithin(record: JobRecord, result: PromiseLike<unknown>, deadline: JobDeadline, timeoutMs: number): void {
    let expired = false;
    deadline.arm(timeoutMs, () => {
      expired = true;
      const error = new JobTimeoutError(record.id, record.name, timeoutMs);
      this.counters.timeout++;
      this.overdue++;
      this.recordFailure(record, error);
      this.options.acks.schedule();
      this.wakeIdleWaiters();
      deadline.abort(error);
      // The held set shrank (the chart may pull again); the slot stays taken until perform settles.
      this.options.onFreed();
    });
    const settled = (error?: unknown, failed = false) => {
      if (expired) {
        this.overdue--;
        this.settle();
        return;
      }
      deadline.dispose();
      if (failed) this.failed(record, error);
      else this.done(record);
    };
    result.then(
      () => settled(),
      (error: unknown) => settled(error, true),
    );
  }

  private done(record: JobRecord): void {
    this.counters.exec++;
    if (this.held.delete(record.id)) this.options.acks.acks.push(record.id);
    this.settle();
  }

  private failed(record: JobRecord, error: unknown): void {
    this.recordFailure(record, error);
    this.settle();
  }

  /** Counts a failure and queues its acknowledgement (retry or dead); the slot is the caller's. */
  private recordFailure(record: JobRecord, error: unknown): void {
    this.counters.exec++;
    this.counters.fail++;
    if (this.held.delete(record.id)) {
      const retryCount = record.retryCount + 1;
      const message = failureMessage(error);
      const next: JobRecord = { ...record, retryCount, error: message };
      const retry = hasRetriesLeft(record.retry, retryCount);
      if (!retry) this.counters.dead++;
      this.options.acks.failures.push({
        id: record.id,
        data: encodeJob(next),
        retryAt: retry ? this.options.now() + this.retryDelay(retryCount) : null,
        error: message,
      });
    }
  }

  /** The host's retry schedule; one that throws or answers no usable delay falls back to the default. */
  private retryDelay(retryCount: number): number {
    let delay: number;
    try {
      delay = this.options.retryDelayMs(retryCount);
    } catch {
      delay = Number.NaN;
    }
    return Number.isFinite(delay) && delay >= 0 ? delay : jobRetryDelayMs(retryCount);
  }

  private settle(): void {
    this.running--;
    this.options.acks.schedule();
    this.wakeIdleWaiters();
    this.pump();
    this.options.onFreed();
  }

  private wakeIdleWaiters(): void {
    if (this.running === this.overdue && this.idleWaiters.length) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}
