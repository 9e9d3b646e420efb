import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { BreakerContext, BreakerInput } from '../../../machines/calls/breaker.js';
import { windowTotals } from '../../../machines/calls/breaker-window.js';

/** The breaker's model walk, shared by the bare chart's walk and the facade's. */

export const error = { code: 'SW_AGENT_NETWORK', message: 'refused' };
// Both rules on, so both trip transitions are reachable: 2 consecutive failures, or more than
// half of at least 3 calls failed (fail, ok, fail trips by rate with one consecutive failure).
export const MODEL_INPUT: BreakerInput = {
  maxFailures: 2,
  timeoutMs: 1000,
  halfOpenMaxProbes: 2,
  callTimeoutMs: 100,
  sampling: { thresholdPercent: 50, volumeThreshold: 3, windowMs: 60_000, buckets: 1 },
};

/**
 * Every event the chart takes. Outcomes leave `epoch` out, which the chart reads as the current
 * period: the epoch grows with every period, and a key that left it out while the events carried
 * it would hand a path the snapshot of another period (stale outcomes are tested elsewhere). The walk is kept finite by what is offered, not by a lossy state key (xstate/graph keeps one
 * snapshot per key, so a key that merges states hands later steps a snapshot of another run): no
 * outcome once the window holds 5 calls, no second listener.
 */
export function breakerEvents(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const { window, successObservers } = snapshot.context as BreakerContext;
  const outcomes = windowTotals(window).calls < 5;
  return [
    { type: 'call.requested' },
    ...(outcomes
      ? [
          { type: 'call.succeeded' },
          { type: 'call.failed', error },
          { type: 'call.timedOut', error },
        ]
      : []),
    { type: 'breaker.reset' },
    { type: 'breaker.isolate' },
    ...(successObservers < 1 ? [{ type: 'breaker.observe' }] : []),
    { type: 'breaker.unobserve' },
  ];
}

/** What defines a state for the walk: the counters the guards read (times and epochs do not). */
export function breakerStateKey(snapshot: AnyMachineSnapshot): string {
  const { failures, probes, window, successObservers } = snapshot.context as BreakerContext;
  const totals = windowTotals(window);
  return JSON.stringify([snapshot.value, failures, probes, totals.calls, totals.failures, successObservers]);
}

/** The fields compared between the walked chart and the real actor. */
export const observed = (context: BreakerContext) => [context.failures, context.probes, windowTotals(context.window), context.successObservers];

