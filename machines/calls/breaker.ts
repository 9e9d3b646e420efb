import { assign, emit, enqueueActions, setup } from 'xstate';
import { msUntil, now } from '../clock.js';
import { breakerSettings, type BreakerInput, type BreakerSettings } from './breaker-settings.js';
import { rateExceeded, recordOutcome, type WindowBucket } from './breaker-window.js';

export { BREAKER_DEFAULTS, SAMPLING_DEFAULTS, breakerSettings, type BreakerInput, type BreakerSettings, type SamplingInput, type SamplingSettings } from './breaker-settings.js';
export type { WindowBucket, WindowTotals } from './breaker-window.js';

/**
 * A circuit breaker for one endpoint: closed → open once a rule trips (`maxFailures` consecutive
 * counted failures, or the sampling rule: failure rate over a rolling window) → halfOpen once
 * `timeoutMs` passed → closed on a probe success, open again on a probe failure. `isolated` is a
 * hand-forced open that only `breaker.reset` leaves.
 *
 * THE CHART DECIDES EVERY CALL. A facade asks it, per call, `call.requested` (may it pass?) and,
 * when it settles, `call.succeeded` / `call.failed` / `call.timedOut` (what does its outcome do?).
 * The answer to a request is the `verdict` in the meta of the transition the chart selects
 * (`probe`, `open`, `isolated`, `busy`); a request the chart has no transition for passes. An
 * outcome carries the `epoch` it was admitted in: a result from an earlier period (before the
 * circuit opened, or from an earlier halfOpen) selects no transition and changes nothing.
 *
 * The hot path is read from the chart, not written beside it: the facade (actors/calls/
 * breaker-plan.ts) asks XState which transitions this chart selects for an event in the current
 * snapshot (`machine.getTransitionData`, what `send` itself runs) and sends only when one is
 * selected. In closed with zero failures the chart selects nothing for a request or a success, so
 * such a call costs no event. That is sound because every guard here reads only context and event
 * (XState gives guards nothing else), so the selection is a function of the snapshot. The trip
 * rules are eventless (`always`) and read context ONLY (what the outcome just recorded, including
 * `lastOutcome`): XState evaluates eventless transitions even after an event that selected none,
 * so a rule that read the event could fire on an event the facade rightly never sends. At rest
 * they are false, and stay false until a sent event changes the context. Time enters through
 * actions (the clock's now), never through a guard.
 *
 * The open → halfOpen deadline is `openUntil` in context and the named delay `halfOpenAfter` is
 * computed from it. XState does not persist scheduled timers (statelyai/xstate#5331); the owner of a
 * restored actor calls `rearmDelays` (machines/xstate-internals.ts), which evaluates the delay again
 * and so schedules it for exactly the time left.
 */
export type BreakerStateName = 'closed' | 'open' | 'halfOpen' | 'isolated';

/** What the chart answers `call.requested`: `pass` when it selects no transition. */
export type BreakerVerdict = 'pass' | 'probe' | 'open' | 'isolated' | 'busy';

export interface BreakerError {
  code: string;
  message: string;
}

export interface BreakerContext extends BreakerSettings {
  /** Consecutive counted failures in closed. */
  failures: number;
  /** The sampling rule's rolling window (empty without it). */
  window: WindowBucket[];
  /** The last outcome recorded in closed: the rate is judged after a failure only, and the trip rules read context only. */
  lastOutcome: 'succeeded' | 'failed' | null;
  /** Absolute time at which open turns halfOpen; null unless open. */
  openUntil: number | null;
  /** Probes in flight in halfOpen. */
  probes: number;
  /** Bumped on every entry to closed and halfOpen: an outcome of a call admitted in an earlier period is ignored. */
  epoch: number;
  /** Times the circuit opened (monotonic, for counters). */
  opened: number;
  /** Calls refused (open, isolated, probe slots taken; monotonic, for counters). */
  rejected: number;
  /** Listeners of `breaker.succeeded`: while there is one, every success is an event (else a success that changes nothing is not). */
  successObservers: number;
  lastError: BreakerError | null;
}

/** `epoch`: the period the call was admitted in (`snapshot.context.epoch`); left out, the current one. */
export type BreakerEvent =
  | { type: 'call.requested' }
  | { type: 'call.succeeded'; epoch?: number }
  | { type: 'call.failed'; epoch?: number; error?: BreakerError }
  | { type: 'call.timedOut'; epoch?: number; error?: BreakerError }
  | { type: 'breaker.reset' }
  | { type: 'breaker.isolate' }
  | { type: 'breaker.observe' }
  | { type: 'breaker.unobserve' };

/** Typed events on the actor (`actor.on(type, …)`): cockatiel's onBreak/onReset/onHalfOpen/onSuccess/onFailure, opossum's reject. */
export type BreakerEmitted =
  | { type: 'breaker.stateChanged'; name: string; from: BreakerStateName; to: BreakerStateName; failures: number }
  /** break: the circuit opened (`isolated`: by hand). */
  | { type: 'breaker.opened'; name: string; from: BreakerStateName; isolated: boolean; retryAt: number | null; error: BreakerError | null }
  /** reset: the circuit closed. */
  | { type: 'breaker.closed'; name: string; from: BreakerStateName }
  | { type: 'breaker.halfOpened'; name: string }
  | { type: 'breaker.succeeded'; name: string; probe: boolean }
  | { type: 'breaker.failed'; name: string; probe: boolean; timedOut: boolean; error: BreakerError | null }
  | { type: 'breaker.rejected'; name: string; reason: 'open' | 'isolated' | 'busy'; retryAt: number | null };

type Outcome = Extract<BreakerEvent, { type: 'call.succeeded' | 'call.failed' | 'call.timedOut' }>;
const isOutcome = (event: BreakerEvent): event is Outcome => event.type === 'call.succeeded' || event.type === 'call.failed' || event.type === 'call.timedOut';
const errorOf = (event: BreakerEvent): BreakerError | null => ('error' in event && event.error ? event.error : null);

/** The `announce` action with its parameters: every transition between states names both ends. */
const changed = (from: BreakerStateName, to: BreakerStateName) => ({ type: 'announce' as const, params: { from, to } });
const verdict = (value: Exclude<BreakerVerdict, 'pass'>) => ({ verdict: value });
const rejected = (reason: 'open' | 'isolated' | 'busy') => ['countRejection' as const, { type: 'reject' as const, params: { reason } }];

export const breakerMachine = setup({
  types: {
    input: {} as BreakerInput | undefined,
    context: {} as BreakerContext,
    events: {} as BreakerEvent,
    emitted: {} as BreakerEmitted,
  },
  delays: {
    halfOpenAfter: ({ context, system }) => msUntil(system, context.openUntil ?? 0),
  },
  guards: {
    thisPeriod: ({ context, event }) => isOutcome(event) && (event.epoch === undefined || event.epoch === context.epoch),
    /** A success changes something only if it breaks a run, feeds the window, or someone listens. */
    successCounts: ({ context, event }) =>
      isOutcome(event) && (event.epoch === undefined || event.epoch === context.epoch) && (context.failures > 0 || context.sampling !== null || context.successObservers > 0),
    probeOfThisPeriod: ({ context, event }) => isOutcome(event) && (event.epoch === undefined || event.epoch === context.epoch) && context.probes > 0,
    probeSlotFree: ({ context }) => context.probes < context.halfOpenMaxProbes,
    consecutiveTrips: ({ context }) => context.maxFailures > 0 && context.failures >= context.maxFailures,
    /** Judged after a failure only (as opossum and cockatiel do): a success never opens the circuit. */
    samplingTrips: ({ context }) => context.lastOutcome === 'failed' && context.sampling !== null && rateExceeded(context.window, context.sampling),
    hasObservers: ({ context }) => context.successObservers > 0,
  },
  actions: {
    newEpoch: assign({ epoch: ({ context }) => context.epoch + 1 }),
    recordSuccess: assign({
      failures: 0,
      lastOutcome: 'succeeded' as const,
      window: ({ context, system }) => (context.sampling ? recordOutcome(context.window, context.sampling, now(system), false) : context.window),
    }),
    recordFailure: assign({
      failures: ({ context }) => context.failures + 1,
      lastOutcome: 'failed' as const,
      window: ({ context, system }) => (context.sampling ? recordOutcome(context.window, context.sampling, now(system), true) : context.window),
      lastError: ({ context, event }) => errorOf(event) ?? context.lastError,
    }),
    clearFailures: assign({ failures: 0, probes: 0, openUntil: null, window: [], lastOutcome: null }),
    trip: assign({
      openUntil: ({ context, system }) => now(system) + context.timeoutMs,
      opened: ({ context }) => context.opened + 1,
      probes: 0,
      lastError: ({ context, event }) => errorOf(event) ?? context.lastError,
    }),
    beginHalfOpen: assign({ openUntil: null, probes: 0 }),
    takeProbeSlot: assign({ probes: ({ context }) => context.probes + 1 }),
    isolate: assign({ openUntil: null, probes: 0, failures: 0, window: [], lastOutcome: null }),
    countRejection: assign({ rejected: ({ context }) => context.rejected + 1 }),
    observe: assign({ successObservers: ({ context }) => context.successObservers + 1 }),
    unobserve: assign({ successObservers: ({ context }) => context.successObservers - 1 }),
    succeeded: emit(({ context }, params: { probe: boolean }) => ({ type: 'breaker.succeeded' as const, name: context.name, probe: params.probe })),
    failed: emit(({ context, event }, params: { probe: boolean }) => ({
      type: 'breaker.failed' as const,
      name: context.name,
      probe: params.probe,
      timedOut: event.type === 'call.timedOut',
      error: errorOf(event),
    })),
    reject: emit(({ context }, params: { reason: 'open' | 'isolated' | 'busy' }) => ({
      type: 'breaker.rejected' as const,
      name: context.name,
      reason: params.reason,
      retryAt: context.openUntil,
    })),
    announce: enqueueActions(({ context, enqueue }, params: { from: BreakerStateName; to: BreakerStateName }) => {
      const { name } = context;
      enqueue.emit({ type: 'breaker.stateChanged', name, from: params.from, to: params.to, failures: context.failures });
      if (params.to === 'open') enqueue.emit({ type: 'breaker.opened', name, from: params.from, isolated: false, retryAt: context.openUntil, error: context.lastError });
      else if (params.to === 'isolated') enqueue.emit({ type: 'breaker.opened', name, from: params.from, isolated: true, retryAt: null, error: null });
      else if (params.to === 'closed') enqueue.emit({ type: 'breaker.closed', name, from: params.from });
      else enqueue.emit({ type: 'breaker.halfOpened', name });
    }),
  },
}).createMachine({
  id: 'breaker',
  context: ({ input }) => ({
    ...breakerSettings(input),
    failures: 0,
    window: [],
    lastOutcome: null,
    openUntil: null,
    probes: 0,
    epoch: 0,
    opened: 0,
    rejected: 0,
    successObservers: 0,
    lastError: null,
  }),
  on: {
    'breaker.observe': { actions: 'observe' },
    'breaker.unobserve': { guard: 'hasObservers', actions: 'unobserve' },
  },
  initial: 'closed',
  states: {
    closed: {
      tags: ['ready'],
      entry: 'newEpoch',
      // No `call.requested` here: the chart has nothing to decide or record, so a call passes.
      always: [
        { guard: 'consecutiveTrips', target: 'open', actions: ['trip', changed('closed', 'open')] },
        { guard: 'samplingTrips', target: 'open', actions: ['trip', changed('closed', 'open')] },
      ],
      on: {
        'call.succeeded': { guard: 'successCounts', actions: ['recordSuccess', { type: 'succeeded', params: { probe: false } }] },
        'call.failed': { guard: 'thisPeriod', actions: ['recordFailure', { type: 'failed', params: { probe: false } }] },
        'call.timedOut': { guard: 'thisPeriod', actions: ['recordFailure', { type: 'failed', params: { probe: false } }] },
        'breaker.reset': { actions: 'clearFailures' },
        'breaker.isolate': { target: 'isolated', actions: ['isolate', changed('closed', 'isolated')] },
      },
    },
    open: {
      after: {
        halfOpenAfter: { target: 'halfOpen', actions: ['beginHalfOpen', changed('open', 'halfOpen')] },
      },
      on: {
        'call.requested': { actions: rejected('open'), meta: verdict('open') },
        'breaker.reset': { target: 'closed', actions: ['clearFailures', changed('open', 'closed')] },
        'breaker.isolate': { target: 'isolated', actions: ['isolate', changed('open', 'isolated')] },
      },
    },
    halfOpen: {
      tags: ['ready'],
      entry: 'newEpoch',
      on: {
        'call.requested': [
          { guard: 'probeSlotFree', actions: 'takeProbeSlot', meta: verdict('probe') },
          { actions: rejected('busy'), meta: verdict('busy') },
        ],
        'call.succeeded': {
          guard: 'probeOfThisPeriod',
          target: 'closed',
          actions: ['clearFailures', { type: 'succeeded', params: { probe: true } }, changed('halfOpen', 'closed')],
        },
        'call.failed': { guard: 'probeOfThisPeriod', target: 'open', actions: [{ type: 'failed', params: { probe: true } }, 'trip', changed('halfOpen', 'open')] },
        'call.timedOut': { guard: 'probeOfThisPeriod', target: 'open', actions: [{ type: 'failed', params: { probe: true } }, 'trip', changed('halfOpen', 'open')] },
        'breaker.reset': { target: 'closed', actions: ['clearFailures', changed('halfOpen', 'closed')] },
        'breaker.isolate': { target: 'isolated', actions: ['isolate', changed('halfOpen', 'isolated')] },
      },
    },
    isolated: {
      on: {
        'call.requested': { actions: rejected('isolated'), meta: verdict('isolated') },
        'breaker.reset': { target: 'closed', actions: ['clearFailures', changed('isolated', 'closed')] },
      },
    },
  },
});
