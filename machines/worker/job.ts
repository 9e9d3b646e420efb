import { assign, setup } from 'xstate';
import { hasRetriesLeft } from './job-retry.js';

/**
 * The life of one job — the spec the queue backends implement, one Lua script per transition:
 *
 *   declared ─add(delayed)→ waiting ─promote→ ready ─pull→ working ─complete→ done
 *            └─add─────────────────────────→ ready          │  ├─fail→ retrying ─(retries left)→ waiting
 *                                                            │  │                 └─(used up)────→ dead
 *                                                            │  ├─reject (malformed data)───────→ dead
 *                                                            └──┴─recover (runner died) → ready
 *   dead ─redrive→ ready
 *
 * Not an event of this chart: a dead job may be deleted (as if done) by the dead-set retention
 * policy in the step where a job dies — a later one, or itself with `maxJobs: 0`
 * (adapters/worker/retention.ts); the retention contract tests hold that.
 *
 * The runner does not spawn this chart per job (an event costs ~3.6 µs, a job must cost less):
 * `adapters/worker/lua/*.lua` and `memoryQueue()` implement it, and the model test walks every path
 * of it against the real Redis and memory backends, checking where the job really is after each step.
 */
export interface JobInput {
  /** Retries allowed after the first run; `< 0` unlimited. Default 13 (the seed's). */
  retry?: number;
  retryCount?: number;
}

export interface JobChartContext {
  retry: number;
  retryCount: number;
}

export type JobEvent =
  | { type: 'job.add'; delayed: boolean }
  | { type: 'job.promote' }
  | { type: 'job.pull' }
  | { type: 'job.complete' }
  | { type: 'job.fail' }
  | { type: 'job.reject' }
  | { type: 'job.recover' }
  | { type: 'job.redrive' };

/** Where a job is, as a backend reports it (`done` jobs are deleted, so backends report `undefined`). */
export type JobState = 'waiting' | 'ready' | 'working' | 'dead';

export const jobMachine = setup({
  types: {
    input: {} as JobInput | undefined,
    context: {} as JobChartContext,
    events: {} as JobEvent,
  },
  guards: {
    isDelayed: ({ event }) => event.type === 'job.add' && event.delayed,
    retriesLeft: ({ context }) => hasRetriesLeft(context.retry, context.retryCount),
  },
  actions: {
    countFailure: assign({ retryCount: ({ context }) => context.retryCount + 1 }),
    resetRetries: assign({ retryCount: 0 }),
  },
}).createMachine({
  id: 'job',
  context: ({ input }) => ({ retry: input?.retry ?? 13, retryCount: input?.retryCount ?? 0 }),
  initial: 'declared',
  states: {
    declared: {
      on: { 'job.add': [{ guard: 'isDelayed', target: 'waiting' }, { target: 'ready' }] },
    },
    waiting: { on: { 'job.promote': 'ready' } },
    ready: { on: { 'job.pull': 'working' } },
    working: {
      on: {
        'job.complete': 'done',
        'job.fail': { target: 'retrying', actions: 'countFailure' },
        'job.reject': 'dead',
        'job.recover': 'ready',
      },
    },
    retrying: {
      always: [{ guard: 'retriesLeft', target: 'waiting' }, { target: 'dead' }],
    },
    dead: { on: { 'job.redrive': { target: 'ready', actions: 'resetRetries' } } },
    done: { type: 'final' },
  },
});
