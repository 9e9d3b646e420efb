import { assign, emit, setup } from 'xstate';
import { msUntil, now } from '../clock.js';

/**
 * A circuit breaker for one endpoint: closed → open after `maxFailures` consecutive counted
 * failures → halfOpen once `timeoutMs` passed → closed on a probe success, open again on a probe
 * failure. `isolated` is a hand-forced open that only `breaker.reset` leaves.
 *
 * The chart owns every state change and nothing else: the facade (actors/calls/breaker.ts) mirrors the
 * snapshot and lets a call in closed with zero failures go straight through without an event. Only
 * a counted failure, the first success after failures, and halfOpen probes become events.
 *
 * The open → halfOpen deadline is `openUntil` in context and the named delay `halfOpenAfter` is
 * computed from it. XState does not persist scheduled timers (statelyai/xstate#5331); the owner of a
 * restored actor calls `rearmDelays` (machines/xstate-internals.ts), which evaluates the delay again and so
 * schedules it for exactly the time left.
 */
export type BreakerStateName = 'closed' | 'open' | 'halfOpen' | 'isolated';

export interface BreakerInput {
  /** Name in errors, events and status (usually the endpoint). Default `breaker`. */
  name?: string;
  /** Consecutive counted failures that open the circuit. Seed default 5. */
  maxFailures?: number;
  /** How long the circuit stays open before a probe is let through. Seed default 60 000 ms. */
  timeoutMs?: number;
  /** Calls let through at once in halfOpen; the rest fail with ErrTooManyRequests. Default 1. */
  halfOpenMaxProbes?: number;
}

export interface BreakerError {
  code: string;
  message: string;
}

export interface BreakerContext {
  name: string;
  maxFailures: number;
  timeoutMs: number;
  halfOpenMaxProbes: number;
  /** Consecutive counted failures in closed. */
  failures: number;
  /** Absolute time at which open turns halfOpen; null unless open. */
  openUntil: number | null;
  /** Probes in flight in halfOpen. */
  probes: number;
  /** Bumped on every entry to halfOpen: a probe result from an earlier halfOpen is ignored. */
  epoch: number;
  /** Times the circuit opened (monotonic, for counters). */
  opened: number;
  lastError: BreakerError | null;
}

export type BreakerEvent =
  | { type: 'call.succeeded' }
  | { type: 'call.failed'; error?: BreakerError }
  | { type: 'probe.started'; epoch: number }
  | { type: 'probe.succeeded'; epoch: number }
  | { type: 'probe.failed'; epoch: number; error?: BreakerError }
  | { type: 'breaker.reset' }
  | { type: 'breaker.isolate' };

export type BreakerEmitted = { type: 'breaker.stateChanged'; name: string; from: BreakerStateName; to: BreakerStateName; failures: number };

export const BREAKER_DEFAULTS = { name: 'breaker', maxFailures: 5, timeoutMs: 60_000, halfOpenMaxProbes: 1 } as const;

/** The `announce` action with its parameters: every transition between states names both ends. */
const changed = (from: BreakerStateName, to: BreakerStateName) => ({ type: 'announce' as const, params: { from, to } });

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
    reachesMaxFailures: ({ context }) => context.failures + 1 >= context.maxFailures,
    probeSlotFree: ({ context, event }) =>
      event.type === 'probe.started' && event.epoch === context.epoch && context.probes < context.halfOpenMaxProbes,
    currentEpoch: ({ context, event }) => 'epoch' in event && event.epoch === context.epoch,
  },
  actions: {
    countFailure: assign({
      failures: ({ context }) => context.failures + 1,
      lastError: ({ context, event }) => ('error' in event && event.error ? event.error : context.lastError),
    }),
    clearFailures: assign({ failures: 0, probes: 0, openUntil: null }),
    trip: assign({
      openUntil: ({ context, system }) => now(system) + context.timeoutMs,
      opened: ({ context }) => context.opened + 1,
      probes: 0,
      lastError: ({ context, event }) => ('error' in event && event.error ? event.error : context.lastError),
    }),
    beginHalfOpen: assign({ openUntil: null, probes: 0, epoch: ({ context }) => context.epoch + 1 }),
    takeProbeSlot: assign({ probes: ({ context }) => context.probes + 1 }),
    isolate: assign({ openUntil: null, probes: 0, failures: 0 }),
    announce: emit(({ context }, params: { from: BreakerStateName; to: BreakerStateName }) => ({
      type: 'breaker.stateChanged' as const,
      name: context.name,
      from: params.from,
      to: params.to,
      failures: context.failures,
    })),
  },
}).createMachine({
  id: 'breaker',
  context: ({ input }) => ({
    name: input?.name ?? BREAKER_DEFAULTS.name,
    maxFailures: Math.max(1, input?.maxFailures ?? BREAKER_DEFAULTS.maxFailures),
    timeoutMs: Math.max(0, input?.timeoutMs ?? BREAKER_DEFAULTS.timeoutMs),
    halfOpenMaxProbes: Math.max(1, input?.halfOpenMaxProbes ?? BREAKER_DEFAULTS.halfOpenMaxProbes),
    failures: 0,
    openUntil: null,
    probes: 0,
    epoch: 0,
    opened: 0,
    lastError: null,
  }),
  initial: 'closed',
  states: {
    closed: {
      tags: ['ready'],
      on: {
        'call.failed': [
          { guard: 'reachesMaxFailures', target: 'open', actions: ['countFailure', 'trip', changed('closed', 'open')] },
          { actions: 'countFailure' },
        ],
        'call.succeeded': { actions: 'clearFailures' },
        'breaker.reset': { actions: 'clearFailures' },
        'breaker.isolate': { target: 'isolated', actions: ['isolate', changed('closed', 'isolated')] },
      },
    },
    open: {
      after: {
        halfOpenAfter: { target: 'halfOpen', actions: ['beginHalfOpen', changed('open', 'halfOpen')] },
      },
      on: {
        'breaker.reset': { target: 'closed', actions: ['clearFailures', changed('open', 'closed')] },
        'breaker.isolate': { target: 'isolated', actions: ['isolate', changed('open', 'isolated')] },
      },
    },
    halfOpen: {
      tags: ['ready'],
      on: {
        'probe.started': { guard: 'probeSlotFree', actions: 'takeProbeSlot' },
        'probe.succeeded': { guard: 'currentEpoch', target: 'closed', actions: ['clearFailures', changed('halfOpen', 'closed')] },
        'probe.failed': { guard: 'currentEpoch', target: 'open', actions: ['trip', changed('halfOpen', 'open')] },
        'breaker.reset': { target: 'closed', actions: ['clearFailures', changed('halfOpen', 'closed')] },
        'breaker.isolate': { target: 'isolated', actions: ['isolate', changed('halfOpen', 'isolated')] },
      },
    },
    isolated: {
      on: {
        'breaker.reset': { target: 'closed', actions: ['clearFailures', changed('isolated', 'closed')] },
      },
    },
  },
});
