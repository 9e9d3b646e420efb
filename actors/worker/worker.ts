import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createActor, fromCallback, fromPromise, type Actor } from 'xstate';
import { memoryQueue } from '../../adapters/worker/memory.js';
import type { JobRecord } from '../../adapters/worker/types.js';
import { silentLogger } from '../../adapters/logger.js';
import { ConfigError, describeError } from '../../errors/base.js';
import { ErrWorkerNotRegistry, RunnerStoppedError, WorkerRegistrationClosedError } from '../../errors/worker.js';
import { now as clockNow } from '../../machines/clock.js';
import { jobRetryDelayMs } from '../../machines/worker/job-retry.js';
import { runnerMachine, type RunnerInput } from '../../machines/worker/runner.js';
import { buildJob, type DeclareOptions, type JobDeclaration } from './declare.js';
import { Acknowledger } from './acks.js';
import type { Runner, RunnerOptions, RunnerStatus } from './api.js';
import { listDead, redriveJob } from './dead.js';
import { validateRunnerOptions } from './options.js';
import { JobSlots, type Worker } from './slots.js';
import { checkTimeout, realTimers } from './timeout.js';
import { hostActorOptions } from '../host.js';

export type { JobContext, Worker } from './slots.js';
export type { DeclareOptions, JobDeclaration } from './declare.js';
export type { DeadJobView } from './dead.js';
export type { Runner, RunnerOptions, RunnerStatus } from './api.js';

/** How long a stopping runner keeps retrying acknowledgements before it unregisters anyway. */
const ACK_FLUSH_ON_STOP_MS = 5000;

export function createRunner(options: RunnerOptions = {}): Runner {
  validateRunnerOptions(options);
  const ownsBackend = !options.backend;
  const backend = options.backend ?? memoryQueue();
  const runnerId = options.runnerId ?? randomUUID();
  const logger = options.logger ?? silentLogger;
  const highWeight = options.highWeight ?? 4;
  const retryDelayMs = options.retryDelayMs ?? ((n: number) => jobRetryDelayMs(n));
  const workers = new Map<string, Worker>();
  const abort = new AbortController();
  // One listener per running job with a timeout (JobDeadline follows the runner's signal): more
  // than 10 jobs at once is normal, not the leak Node's default warning suspects.
  setMaxListeners(0, abort.signal);
  let started = false;
  let saturated = false;
  let recoveredJobs = 0;
  let reconciledJobs = 0;
  let lastError: string | null = null;
  let pullInFlight: Promise<unknown> | undefined;
  let stopping = false;
  const now = () => clockNow(actor.system);
  const timers = options.clock ?? realTimers;

  /** Tells a saturated chart it has room again (one event per crossing, not per job). */
  const freeCapacity = () => {
    if (slots.held.size >= actor.getSnapshot().context.needPullThreshold) return;
    saturated = false;
    actor.send({ type: 'capacity.available' });
  };

  const acks = new Acknowledger(backend, runnerId, now, timers, logger);
  const slots = new JobSlots({
    acks,
    threads: options.threads ?? 10,
    runnerId,
    workers,
    signal: abort.signal,
    clock: timers,
    jobTimeoutMs: options.jobTimeoutMs,
    now,
    retryDelayMs,
    onFreed: () => {
      if (saturated) freeCapacity();
    },
  });

  const machine = runnerMachine.provide({
    actors: {
      register: fromPromise(async ({ input }) => {
        await backend.heartbeat(runnerId, now() + input.aliveTtlMs);
        // A runner restarted under the same id picks up what it left behind.
        await backend.release(runnerId);
      }),
      pull: fromPromise(({ input }) => {
        // The whole step is tracked, not just the backend call: a drain waits for it, so a
        // pull never lands in the working set of a runner that already unregistered.
        const step = (async () => {
          if (slots.closed) return { pulled: 0, held: slots.held.size, nextDueAt: null };
          const at = now();
          const aliveUntil = at + actor.getSnapshot().context.aliveTtlMs;
          const result = await backend.pull(runnerId, input.limit, at, highWeight, aliveUntil);
          slots.accept(result.jobs);
          return { pulled: result.jobs.length, held: slots.held.size, nextDueAt: result.nextDueAt };
        })();
        pullInFlight = step;
        return step;
      }),
      // The chart runs it between pulls (never beside one), so every job of a pull that answered
      // is held by now: what the working set has beyond held and acknowledging is stray.
      reconcile: fromPromise(async () => {
        const ids = await backend.working(runnerId);
        const stray = ids.filter((id) => !slots.held.has(id) && !acks.has(id));
        const released = stray.length ? await backend.release(runnerId, stray) : 0;
        if (released) {
          reconciledJobs += released;
          logger.warn('worker: handed back jobs its working set had but it did not hold (a reply lost)', { runnerId, jobs: released });
        }
        return { released, held: slots.held.size };
      }),
      watchBackend: fromCallback(({ sendBack }) => {
        const off = backend.onReconnect?.(() => sendBack({ type: 'backend.reconnected' }));
        return () => void off?.();
      }),
      watchWork: fromCallback(({ sendBack }) => {
        const off = backend.onWork(() => sendBack({ type: 'work.available' }));
        return () => void off();
      }),
      heartbeat: fromPromise(async ({ input }) => {
        await backend.heartbeat(runnerId, now() + input.aliveTtlMs);
        const recovered = await backend.recover(now());
        recoveredJobs += recovered.jobs;
        if (recovered.jobs) logger.info('worker: recovered jobs of dead runners', { runnerId, ...recovered });
        return { recoveredRunners: recovered.runners, recoveredJobs: recovered.jobs };
      }),
      finishInFlight: fromPromise(async () => {
        slots.closed = true;
        await slots.whenIdle();
      }),
      release: fromPromise(async () => {
        slots.closed = true;
        await pullInFlight?.catch(() => {});
        abort.abort();
        slots.abandon();
        try {
          await acks.flushAll(now() + ACK_FLUSH_ON_STOP_MS);
          await backend.unregister(runnerId);
        } finally {
          acks.close();
        }
      }),
    },
  });

  const input: RunnerInput = {
    threads: options.threads,
    pullBatchSize: options.pullBatchSize,
    needPullThresholdRatio: options.needPullThresholdRatio,
    aliveTtlMs: options.aliveTtlMs,
    heartbeatEveryMs: options.heartbeatEveryMs,
    idlePollMs: options.idlePollMs,
    drainTimeoutMs: options.drainTimeoutMs,
    releaseTimeoutMs: options.releaseTimeoutMs,
    backendBackoff: options.backendBackoff,
  };
  const actor: Actor<typeof machine> = createActor(machine, {
    input,
    ...hostActorOptions({ inspect: options.inspect, clock: options.clock, id: options.id }),
  });
  actor.subscribe({
    next: (snapshot) => {
      saturated = snapshot.matches({ running: { work: 'saturated' } });
      // Jobs may have finished between the pull's result and the chart entering `saturated`.
      if (saturated) freeCapacity();
      if (snapshot.context.lastError) lastError = snapshot.context.lastError;
    },
    error: (error) => {
      lastError = describeError(error).message;
      logger.error('worker: runner actor failed', { runnerId, error: lastError });
    },
  });
  actor.on('backend.failed', (event) => logger.warn('worker: backend failed', { runnerId, error: event.error }));

  const stopped = new Promise<void>((resolve) => {
    // A release cut by its timeout is still pending (its pull may never answer): nothing of it may
    // outlive the actor. Running jobs are told to stop and their timeout timers disarmed here too,
    // or a job's timer fired after stop() returned and aborted it as timed out.
    const end = () => {
      if (!abort.signal.aborted) abort.abort();
      slots.abandon();
      acks.close();
      resolve();
    };
    actor.subscribe({ complete: end, error: end });
  });

  function start(): void {
    if (started) return;
    started = true;
    actor.start();
  }

  async function stop(stopOptions: { deadlineMs?: number } = {}): Promise<void> {
    stopping = true;
    if (!started) {
      started = true;
      actor.stop();
    } else if (actor.getSnapshot().status === 'active') {
      // Already draining (a host calls drain(), then stop() once its own deadline passed): without
      // a deadline of its own, this stop is the hard one — abort and hand back now.
      const draining = actor.getSnapshot().matches('draining');
      actor.send({ type: 'runner.stop', deadlineMs: stopOptions.deadlineMs ?? (draining ? 0 : undefined) });
      await stopped;
    }
    if (ownsBackend) await backend.close();
  }

  async function declareMany(jobs: ReadonlyArray<JobDeclaration & { options?: DeclareOptions }>): Promise<JobRecord[]> {
    // After stop() the queue may be closed (a private memory queue is): the job would never run.
    if (stopping) throw new RunnerStoppedError(runnerId, jobs.length);
    const at = now();
    const built = jobs.map((job) => {
      if (!workers.has(job.name)) throw new ErrWorkerNotRegistry(job.name);
      return buildJob(job, job.options ?? {}, at);
    });
    await backend.add(
      built.map((b) => b.entry),
      at,
    );
    return built.map((b) => b.record);
  }

  return {
    actor,
    runnerId,
    backend,
    start,
    stop,
    drain: () => stop(),
    registerWorker(worker) {
      if (started) throw new WorkerRegistrationClosedError(worker.name);
      if (typeof worker?.name !== 'string' || worker.name === '' || typeof worker.perform !== 'function') {
        throw new ConfigError('a worker needs a non-empty name and a perform function', { name: worker?.name });
      }
      checkTimeout(`timeoutMs of worker "${worker.name}"`, worker.timeoutMs, { name: worker.name });
      workers.set(worker.name, worker as Worker);
    },
    async declare(job, declareOptions = {}) {
      const [record] = await declareMany([{ ...job, options: declareOptions }]);
      return record!;
    },
    declareMany,
    async run(signal) {
      start();
      const onAbort = () => void stop();
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await stopped;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async queueLength(queue) {
      const counts = await backend.counts();
      return counts[queue];
    },
    status(): RunnerStatus {
      const snapshot = actor.getSnapshot();
      return {
        state: snapshot.value,
        runnerId,
        execCount: slots.counters.exec,
        failCount: slots.counters.fail,
        deadCount: slots.counters.dead,
        deadTrimmed: acks.deadTrimmed,
        malformedCount: slots.counters.malformed,
        timeoutCount: slots.counters.timeout,
        running: slots.running,
        overdue: slots.overdue,
        held: slots.held.size,
        pendingAcks: acks.pending,
        recoveredJobs,
        reconciledJobs,
        backendReconnects: backend.diagnostics?.().reconnects ?? 0,
        subscriptionFailures: backend.diagnostics?.().subscriptionFailures ?? 0,
        lastError: lastError ?? acks.lastError,
      };
    },
    counters() {
      return {
        worker_exec_total: slots.counters.exec,
        worker_fail_total: slots.counters.fail,
        worker_dead_total: slots.counters.dead,
        worker_dead_trimmed_total: acks.deadTrimmed,
        worker_malformed_total: slots.counters.malformed,
        worker_timeout_total: slots.counters.timeout,
        worker_running: slots.running,
        worker_overdue: slots.overdue,
        worker_held: slots.held.size,
        worker_recovered_total: recoveredJobs,
        worker_reconciled_total: reconciledJobs,
        worker_backend_reconnects_total: backend.diagnostics?.().reconnects ?? 0,
        worker_subscription_failures_total: backend.diagnostics?.().subscriptionFailures ?? 0,
      };
    },
    dead: (offset = 0, limit = 100) => listDead(backend, offset, limit),
    redrive: (id) => redriveJob(backend, id),
  };
}
