import { assign, emit, fromCallback, fromPromise, setup } from 'xstate';
import { backoffDelay } from '../backoff.js';
import { msUntil, now } from '../clock.js';
import type { HeartbeatOutput, PullOutput, ReconcileOutput, RunnerContext, RunnerEmitted, RunnerEvent, RunnerInput } from './runner-options.js';

export type { HeartbeatOutput, PullOutput, ReconcileOutput, RunnerContext, RunnerEmitted, RunnerEvent, RunnerInput } from './runner-options.js';

/**
 * One job runner: registers, pulls batches of jobs while it has room, waits (woken or timed, never
 * a busy poll) when there is nothing to do, heartbeats its alive deadline and recovers dead
 * runners' jobs, and drains on stop.
 *
 *   starting ─→ running ∥ work:     pulling ⇄ saturated | idle | backoff, reconciling when due
 *                       ∥ liveness: alive ⇄ beating (heartbeat + recovery)
 *            ─→ draining: finishing (in-flight jobs, up to the deadline ∥ liveness) → releasing → stopped
 *
 * Jobs themselves never pass through the chart (DESIGN.md, hot paths): the facade runs them in its
 * slots; the chart only sees one event per pulled batch and one when a saturated runner has room.
 *
 * Reconciling: the working set in the backend and the jobs the runner holds can diverge. A pull's
 * script may run while its reply is lost: the connection dropped mid-reply (the call fails, or
 * ioredis re-sends it after the reconnect and the second run's reply is the one that arrives), or
 * Redis was killed after appending it to its AOF. Those jobs sit in a live runner's working set,
 * which no recovery touches while it heartbeats. So a reconcile (hand back every id of the working
 * set the runner neither holds nor is acknowledging) is due after a failed pull, after every
 * reconnect of the backend and after every heartbeat (the slow period), and runs in the work
 * region between pulls: never beside a pull, whose jobs would not be held yet.
 */
const notProvided = (name: string) => () => {
  throw new Error(`not provided: ${name}`);
};

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Heartbeats (refreshing the alive deadline, recovering dead runners) while running and draining. */
const liveness = {
  initial: 'alive',
  states: {
    alive: { after: { heartbeat: 'beating' } },
    beating: {
      invoke: {
        id: 'heartbeat',
        src: 'heartbeat',
        input: ({ context }: { context: RunnerContext }) => ({ aliveTtlMs: context.aliveTtlMs }),
        onDone: [
          { guard: 'recoveredAny', target: 'alive', actions: ['reportRecovery', 'markReconcileDue'] },
          { target: 'alive', actions: 'markReconcileDue' },
        ],
        onError: { target: 'alive', actions: ['recordFailure', 'reportFailure'] },
      },
    },
  },
} as const;

export const runnerMachine = setup({
  types: {
    input: {} as RunnerInput | undefined,
    context: {} as RunnerContext,
    events: {} as RunnerEvent,
    emitted: {} as RunnerEmitted,
  },
  actors: {
    /** Heartbeats once and hands back whatever this runner id left in its working set. */
    register: fromPromise<void, { aliveTtlMs: number }>(notProvided('register')),
    pull: fromPromise<PullOutput, { limit: number }>(notProvided('pull')),
    /** Hands back every id of the working set the runner neither holds nor is acknowledging. */
    reconcile: fromPromise<ReconcileOutput>(notProvided('reconcile')),
    /** Sends `backend.reconnected` on every reconnect of the backend. */
    watchBackend: fromCallback(notProvided('watchBackend')),
    /** Sends `work.available` when the backend signals new ready jobs. */
    watchWork: fromCallback(notProvided('watchWork')),
    heartbeat: fromPromise<HeartbeatOutput, { aliveTtlMs: number }>(notProvided('heartbeat')),
    /** Resolves when no job is running any more. */
    finishInFlight: fromPromise<void>(notProvided('finishInFlight')),
    /** Aborts what still runs, hands every held job back to ready, flushes acks, unregisters. */
    release: fromPromise<void>(notProvided('release')),
  },
  delays: {
    backendRetry: ({ context }) => backoffDelay(context.failures, context.backendBackoff),
    idleWake: ({ context, system }) => msUntil(system, context.wakeAt ?? 0),
    heartbeat: ({ context }) => context.heartbeatEveryMs,
    drainDeadline: ({ context, system }) => msUntil(system, context.drainDeadline ?? 0),
    releaseTimeout: ({ context }) => context.releaseTimeoutMs,
  },
  guards: {
    saturated: ({ context, event }) => (event as unknown as { output: PullOutput | ReconcileOutput }).output.held >= context.needPullThreshold,
    reconcileDue: ({ context }) => context.reconcileDue,
    gotJobs: ({ event }) => (event as unknown as { output: PullOutput }).output.pulled > 0,
    stopNow: ({ event }) => event.type === 'runner.stop' && event.deadlineMs === 0,
    recoveredAny: ({ event }) => {
      const output = (event as unknown as { output: HeartbeatOutput }).output;
      return output.recoveredJobs > 0 || output.recoveredRunners.length > 0;
    },
  },
  actions: {
    recordFailure: assign({
      failures: ({ context }) => context.failures + 1,
      lastError: ({ event }) => errorMessage((event as unknown as { error: unknown }).error),
    }),
    reportFailure: emit(({ event }) => ({ type: 'backend.failed' as const, error: errorMessage((event as unknown as { error: unknown }).error) })),
    clearFailures: assign({ failures: 0 }),
    markReconcileDue: assign({ reconcileDue: true }),
    // Cleared as the reconcile starts, so a reconnect during it makes another one due.
    clearReconcileDue: assign({ reconcileDue: false }),
    reportReconciled: emit(({ event }) => ({ type: 'runner.reconciled' as const, released: (event as unknown as { output: ReconcileOutput }).output.released })),
    recordReleaseTimeout: assign({ lastError: 'release timed out: held jobs are recovered once aliveTtlMs passed' }),
    reportReleaseTimeout: emit({ type: 'backend.failed' as const, error: 'release timed out' }),
    setWakeAt: assign({
      wakeAt: ({ context, event, system }) => {
        const poll = now(system) + context.idlePollMs;
        const due = (event as unknown as { output: PullOutput }).output.nextDueAt;
        return due === null ? poll : Math.min(poll, due);
      },
    }),
    setDrainDeadline: assign({
      drainDeadline: ({ context, event, system }) =>
        now(system) + (event.type === 'runner.stop' && event.deadlineMs !== undefined ? event.deadlineMs : context.drainTimeoutMs),
    }),
    reportRecovery: emit(({ event }) => {
      const output = (event as unknown as { output: HeartbeatOutput }).output;
      return { type: 'runner.recovered' as const, runners: output.recoveredRunners, jobs: output.recoveredJobs };
    }),
  },
}).createMachine({
  id: 'runner',
  context: ({ input }) => {
    const threads = input?.threads ?? 10;
    const aliveTtlMs = input?.aliveTtlMs ?? 30_000;
    return {
      threads,
      pullBatchSize: input?.pullBatchSize ?? 30,
      needPullThreshold: threads * (input?.needPullThresholdRatio ?? 3),
      aliveTtlMs,
      heartbeatEveryMs: input?.heartbeatEveryMs ?? Math.floor(aliveTtlMs / 3),
      idlePollMs: input?.idlePollMs ?? 1000,
      drainTimeoutMs: input?.drainTimeoutMs ?? 10_000,
      releaseTimeoutMs: input?.releaseTimeoutMs ?? 10_000,
      backendBackoff: input?.backendBackoff ?? { initialMs: 100, maxMs: 5000, jitter: 'equal' },
      failures: 0,
      lastError: null,
      reconcileDue: false,
      wakeAt: null,
      drainDeadline: null,
    };
  },
  initial: 'starting',
  states: {
    starting: {
      invoke: {
        id: 'register',
        src: 'register',
        input: ({ context }) => ({ aliveTtlMs: context.aliveTtlMs }),
        onDone: { target: 'running', actions: 'clearFailures' },
        onError: { target: 'startBackoff', actions: ['recordFailure', 'reportFailure'] },
      },
      on: { 'runner.stop': { target: 'draining', actions: 'setDrainDeadline' } },
    },
    startBackoff: {
      after: { backendRetry: 'starting' },
      on: { 'runner.stop': { target: 'draining', actions: 'setDrainDeadline' } },
    },
    running: {
      type: 'parallel',
      invoke: { id: 'watchBackend', src: 'watchBackend' },
      on: {
        'runner.stop': { target: 'draining', actions: 'setDrainDeadline' },
        'backend.reconnected': { actions: 'markReconcileDue' },
      },
      states: {
        work: {
          initial: 'pulling',
          states: {
            pulling: {
              tags: ['ready'],
              invoke: {
                id: 'pull',
                src: 'pull',
                input: ({ context }) => ({ limit: context.pullBatchSize }),
                onDone: [
                  { guard: 'reconcileDue', target: 'reconciling', actions: 'clearFailures' },
                  { guard: 'saturated', target: 'saturated', actions: 'clearFailures' },
                  { guard: 'gotJobs', target: 'pulling', reenter: true, actions: 'clearFailures' },
                  { target: 'idle', actions: ['clearFailures', 'setWakeAt'] },
                ],
                // Its script may have run all the same (a timeout, a cut connection).
                onError: { target: 'backoff', actions: ['recordFailure', 'reportFailure', 'markReconcileDue'] },
              },
            },
            reconciling: {
              tags: ['ready'],
              entry: 'clearReconcileDue',
              invoke: {
                id: 'reconcile',
                src: 'reconcile',
                onDone: [
                  { guard: 'saturated', target: 'saturated', actions: ['clearFailures', 'reportReconciled'] },
                  { target: 'pulling', actions: ['clearFailures', 'reportReconciled'] },
                ],
                onError: { target: 'backoff', actions: ['recordFailure', 'reportFailure', 'markReconcileDue'] },
              },
            },
            saturated: {
              tags: ['ready'],
              always: { guard: 'reconcileDue', target: 'reconciling' },
              on: { 'capacity.available': 'pulling' },
            },
            idle: {
              tags: ['ready'],
              always: { guard: 'reconcileDue', target: 'reconciling' },
              invoke: { id: 'watchWork', src: 'watchWork' },
              after: { idleWake: 'pulling' },
              on: { 'work.available': 'pulling' },
            },
            backoff: {
              // Not reconciling while backing off: the backend is failing. Every way in (a failed
              // pull or reconcile) owes a reconcile, so the retry starts with it.
              after: { backendRetry: 'reconciling' },
            },
          },
        },
        liveness,
      },
    },
    draining: {
      initial: 'finishing',
      states: {
        finishing: {
          // Still heartbeating: a drain may outlast aliveTtlMs, and a runner that stopped beating
          // would have its running jobs recovered and run elsewhere at the same time.
          type: 'parallel',
          states: {
            jobs: {
              invoke: { id: 'finishInFlight', src: 'finishInFlight', onDone: '#runner.draining.releasing', onError: '#runner.draining.releasing' },
            },
            liveness,
          },
          after: { drainDeadline: 'releasing' },
          // A stop with deadline 0 while draining (the host's deadline passed): hand back now.
          on: { 'runner.stop': { guard: 'stopNow', target: 'releasing' } },
        },
        releasing: {
          invoke: {
            id: 'release',
            src: 'release',
            onDone: '#runner.stopped',
            onError: { target: '#runner.stopped', actions: ['recordFailure', 'reportFailure'] },
          },
          after: { releaseTimeout: { target: '#runner.stopped', actions: ['recordReleaseTimeout', 'reportReleaseTimeout'] } },
        },
      },
    },
    stopped: { type: 'final' },
  },
});
