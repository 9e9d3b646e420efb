import type { SnapshotFrom } from 'xstate';
import type { BreakerEvent, BreakerVerdict, breakerMachine } from '../../machines/calls/breaker.js';

type BreakerSnapshot = SnapshotFrom<typeof breakerMachine>;

/** The chart's answer to `call.requested`, and whether it must be sent to take effect. */
export interface Admission {
  verdict: BreakerVerdict;
  /** The chart selected a transition (a probe slot to take, a rejection to announce): send the event. */
  send: boolean;
}

const REQUESTED: BreakerEvent = { type: 'call.requested' };

/**
 * Whether the chart selects a transition for `event` in `snapshot`: XState's own selection
 * (`getTransitionData` is what `send` runs before it takes a transition). An event this says no to
 * would change nothing if it were sent: XState would still run the eventless transitions after it,
 * but the breaker's read context only and are false at rest (machines/calls/breaker.ts), which
 * tests/calls/breaker-equivalence.test.ts checks on every snapshot its runs reach. Not sending it
 * is the chart's answer, not a copy of it.
 */
export function selects(snapshot: BreakerSnapshot, event: BreakerEvent): boolean {
  return snapshot.machine.getTransitionData(snapshot, event).length > 0;
}

/** What the chart answers a request in `snapshot`: the verdict in the selected transition's meta; none selected, the call passes. */
export function admissionIn(snapshot: BreakerSnapshot): Admission {
  const [selected] = snapshot.machine.getTransitionData(snapshot, REQUESTED);
  if (!selected) return { verdict: 'pass', send: false };
  const meta = selected.meta as { verdict?: BreakerVerdict } | undefined;
  return { verdict: meta?.verdict ?? 'pass', send: true };
}

/**
 * The chart's answers for one snapshot, asked once and kept while that snapshot is current. Sound
 * because a snapshot is immutable and the breaker's guards read only context and event (XState
 * hands a guard nothing else), so the selection for the same event cannot change until the
 * snapshot does; every sent event that changes anything makes a new snapshot, and a new plan.
 * This is the whole hot path: in closed with zero failures, a request and a success both select
 * nothing, so a call is two snapshot reads and two identity checks. tests/calls/
 * breaker-equivalence.test.ts drives this facade and a driver that sends every event with the
 * same generated interleavings and finds them equal.
 */
export class BreakerPlan {
  readonly snapshot: BreakerSnapshot;
  /** The period calls admitted now belong to. */
  readonly epoch: number;
  readonly callTimeoutMs: number;
  /** The actor runs (not stopped, not errored): only then may a call pass. */
  readonly active: boolean;
  #admission: Admission | undefined;
  #successSends: boolean | undefined;

  constructor(snapshot: BreakerSnapshot) {
    this.snapshot = snapshot;
    this.epoch = snapshot.context.epoch;
    this.callTimeoutMs = snapshot.context.callTimeoutMs;
    this.active = snapshot.status === 'active';
  }

  admission(): Admission {
    return (this.#admission ??= admissionIn(this.snapshot));
  }

  /** Whether a success of a call admitted in this snapshot's period must be sent. */
  successSends(): boolean {
    return (this.#successSends ??= selects(this.snapshot, { type: 'call.succeeded', epoch: this.epoch }));
  }
}
