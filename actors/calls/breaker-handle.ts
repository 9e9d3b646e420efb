import type { ActorRefFrom } from 'xstate';
import type { breakerMachine, BreakerEmitted, BreakerEvent, BreakerStateName } from '../../machines/calls/breaker.js';
import type { Clock } from '../../machines/clock.js';
import { CallsStoppedError, CallTimeoutError, ErrCircuitOpen, ErrTooManyRequests, InvalidCallError } from '../../errors/calls.js';
import { describeError } from '../../errors/base.js';
import { checkBreakerPolicy } from './breaker-options.js';
import { BreakerPlan, selects, type Admission } from './breaker-plan.js';
import { underDeadline, type DeadlineOutcomes } from './deadline.js';

export type BreakerRef = ActorRefFrom<typeof breakerMachine>;

/** What `fn` is handed: a signal aborted when the breaker's per-call timeout fires (cockatiel's `{ signal }`). */
export interface CallContext {
  readonly signal: AbortSignal;
}

export interface ExecuteOptions<T> {
  /**
   * What the caller gets instead of an error when the call is refused (open, isolated, probe slots
   * taken), times out, or fails with an error that counts (isFailure): opossum's fallback, per call.
   * It never changes what the breaker counts. Default: none, the error is thrown.
   */
  fallback?: (error: unknown) => T | Promise<T>;
}

export type BreakerEventType = BreakerEmitted['type'];
export type BreakerListener<K extends BreakerEventType | '*'> = (event: K extends '*' ? BreakerEmitted : Extract<BreakerEmitted, { type: K }>) => void;

/** What a caller needs from a breaker, whichever actor (root or child) runs its chart. */
export interface Breaker {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Consecutive counted failures in closed. */
  readonly failures: number;
  /**
   * Runs `fn` through the breaker. Rejects with ErrCircuitOpen (open or isolated) or
   * ErrTooManyRequests (halfOpen, probe slots taken) without calling `fn`, with CallTimeoutError
   * when `callTimeoutMs` passes, with CallsStoppedError once the breaker is stopped (never running
   * `fn`); otherwise settles as `fn` does. In closed with zero failures a success costs no chart event.
   */
  execute<T>(fn: (context: CallContext) => T | Promise<T>, options?: ExecuteOptions<T>): Promise<T>;
  /** Back to closed with zero failures, from any state. */
  reset(): void;
  /** Forced open until `reset()`: every call fails fast. */
  isolate(): void;
  /**
   * Listens to the chart's typed events (`breaker.opened` = break, `breaker.closed` = reset,
   * `breaker.halfOpened`, `breaker.succeeded`, `breaker.failed`, `breaker.rejected`,
   * `breaker.stateChanged`). Listening to successes tells the chart (`breaker.observe`): from then
   * on every success is an event, which the hot path otherwise does without.
   */
  on<K extends BreakerEventType | '*'>(type: K, listener: BreakerListener<K>): { unsubscribe(): void };
}

export interface BreakerPolicy {
  /** Which errors count as failures. Default: every error (the seed's Execute, opossum, cockatiel's handleAll). */
  isFailure?: (error: unknown) => boolean;
  /** Called on every state change, after the chart took it. */
  onStateChange?: (from: BreakerStateName, to: BreakerStateName) => void;
  /** Runs the per-call timeouts: the clock of the breaker's actor system (SimulatedClock in tests). Default: the real timers. */
  clock?: Clock;
}

export interface BreakerCounters {
  calls: number;
  rejected_open: number;
  rejected_probes: number;
  failures_counted: number;
  timed_out: number;
  fallbacks: number;
}

const countEveryError = () => true;
const realClock: Clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id) };
/** Handed to `fn` when there is no per-call timeout: one shared signal that never aborts (no allocation per call). */
const NO_TIMEOUT: CallContext = Object.freeze({ signal: new AbortController().signal });
const REQUESTED: BreakerEvent = { type: 'call.requested' };

/** One call under the per-call timeout, as its endings need it. */
interface TimedCall<T> {
  epoch: number;
  timeoutMs: number;
  fallback: ExecuteOptions<T>['fallback'];
}

/**
 * Binds the breaker API to a running breaker actor. Every decision is the chart's, read from its
 * current snapshot through a BreakerPlan (breaker-plan.ts): an event is sent exactly when the chart
 * selects a transition for it, and the verdict on a request is the one the chart's transition
 * carries. What stays here is what the chart cannot hold: the caller's promise, `fn`, the error
 * classification (isFailure is a function), the per-call timer and the fallback.
 */
export class BreakerHandle implements Breaker {
  readonly #ref: BreakerRef;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #clock: Clock;
  readonly #listener: { unsubscribe(): void } | undefined;
  #plan: BreakerPlan;
  readonly counts: BreakerCounters = { calls: 0, rejected_open: 0, rejected_probes: 0, failures_counted: 0, timed_out: 0, fallbacks: 0 };

  constructor(ref: BreakerRef, policy: BreakerPolicy = {}) {
    checkBreakerPolicy(policy);
    this.#ref = ref;
    this.#clock = policy.clock ?? realClock;
    this.#plan = new BreakerPlan(ref.getSnapshot());
    const isFailure = policy.isFailure ?? countEveryError;
    // A predicate that throws must not skip the event that frees a probe slot (the breaker would
    // refuse every call in halfOpen for good): such an error counts as a failure.
    this.#isFailure = (error) => {
      try {
        return isFailure(error);
      } catch {
        return true;
      }
    };
    const onStateChange = policy.onStateChange;
    if (onStateChange) this.#listener = ref.on('breaker.stateChanged', (event) => onStateChange(event.from, event.to));
  }

  get ref(): BreakerRef {
    return this.#ref;
  }
  get name(): string {
    return this.#ref.getSnapshot().context.name;
  }
  get state(): BreakerStateName {
    return this.#ref.getSnapshot().value;
  }
  get failures(): number {
    return this.#ref.getSnapshot().context.failures;
  }

  // Not async: returning the inner promise as is saves the extra ticks an async wrapper costs per call.
  execute<T>(fn: (context: CallContext) => T | Promise<T>, options?: ExecuteOptions<T>): Promise<T> {
    this.counts.calls++;
    let plan = this.#current();
    if (typeof fn !== 'function') return Promise.reject(new InvalidCallError(plan.snapshot.context.name, typeof fn));
    if (!plan.active) return Promise.reject(new CallsStoppedError(`breaker "${plan.snapshot.context.name}"`));
    const admission = plan.admission();
    if (admission.send) {
      this.#ref.send(REQUESTED);
      if (admission.verdict !== 'pass' && admission.verdict !== 'probe') return this.#refused(admission, plan, options?.fallback);
      plan = this.#current();
    }
    if (plan.callTimeoutMs > 0) return this.#timed(fn, plan.epoch, plan.callTimeoutMs, options?.fallback);
    return this.#untimed(fn, plan.epoch, options?.fallback);
  }

  reset(): void {
    this.#ref.send({ type: 'breaker.reset' });
  }

  isolate(): void {
    this.#ref.send({ type: 'breaker.isolate' });
  }

  on<K extends BreakerEventType | '*'>(type: K, listener: BreakerListener<K>): { unsubscribe(): void } {
    const subscription = this.#ref.on(type as never, listener as never);
    if (type !== 'breaker.succeeded' && type !== '*') return subscription;
    this.#ref.send({ type: 'breaker.observe' });
    let listening = true;
    return {
      unsubscribe: () => {
        if (!listening) return;
        listening = false;
        subscription.unsubscribe();
        this.#ref.send({ type: 'breaker.unobserve' });
      },
    };
  }

  /** Stops listening for state changes (the actor itself belongs to its owner). */
  dispose(): void {
    this.#listener?.unsubscribe();
  }

  /** The plan for the actor's current snapshot: the same object until the chart moves. */
  #current(): BreakerPlan {
    const snapshot = this.#ref.getSnapshot();
    return snapshot === this.#plan.snapshot ? this.#plan : (this.#plan = new BreakerPlan(snapshot));
  }

  /** Sends `event` if the chart selects a transition for it now (an outcome from an old period selects none). */
  #report(event: BreakerEvent): boolean {
    const plan = this.#current();
    // A breaker stopped while the call ran hears nothing more (a stopped actor takes no events).
    if (!plan.active || !selects(plan.snapshot, event)) return false;
    this.#ref.send(event);
    return true;
  }

  #succeeded(epoch: number): void {
    const plan = this.#current();
    if (!plan.active) return;
    if (epoch === plan.epoch ? plan.successSends() : selects(plan.snapshot, { type: 'call.succeeded', epoch })) {
      this.#ref.send({ type: 'call.succeeded', epoch });
    }
  }

  /** `fn` failed: a counted failure is reported as one; an error that does not count breaks a run like a success. */
  async #failed<T>(error: unknown, epoch: number, fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    if (!this.#isFailure(error)) {
      this.#succeeded(epoch);
      throw error;
    }
    if (this.#report({ type: 'call.failed', epoch, error: describeError(error) })) this.counts.failures_counted++;
    return this.#fallback(error, fallback);
  }

  #refused<T>(admission: Admission, plan: BreakerPlan, fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    const { name, halfOpenMaxProbes, openUntil } = plan.snapshot.context;
    if (admission.verdict === 'busy') {
      this.counts.rejected_probes++;
      return this.#fallback(new ErrTooManyRequests(name, halfOpenMaxProbes), fallback);
    }
    this.counts.rejected_open++;
    return this.#fallback(new ErrCircuitOpen(name, { retryAt: openUntil, isolated: admission.verdict === 'isolated' }), fallback);
  }

  async #fallback<T>(error: unknown, fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    if (!fallback) throw error;
    this.counts.fallbacks++;
    return fallback(error);
  }

  async #untimed<T>(fn: (context: CallContext) => T | Promise<T>, epoch: number, fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    let value: T;
    try {
      value = await fn(NO_TIMEOUT);
    } catch (error) {
      return this.#failed(error, epoch, fallback);
    }
    this.#succeeded(epoch);
    return value;
  }

  /** `fn` under the per-call timeout: a timeout is its own outcome for the chart (`call.timedOut`), whatever isFailure says. */
  #timed<T>(fn: (context: CallContext) => T | Promise<T>, epoch: number, timeoutMs: number, fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    return underDeadline(fn, timeoutMs, this.#clock, this.#deadline as DeadlineOutcomes<TimedCall<T>, T>, { epoch, timeoutMs, fallback });
  }

  /** The endings of every timed call of this breaker, made once (see DeadlineOutcomes). */
  readonly #deadline: DeadlineOutcomes<TimedCall<unknown>, unknown> = {
    timeoutError: (call) => new CallTimeoutError(this.#current().snapshot.context.name, call.timeoutMs),
    value: (call, value) => {
      this.#succeeded(call.epoch);
      return value;
    },
    error: (call, error) => this.#failed(error, call.epoch, call.fallback),
    timeout: (call, error) => {
      this.counts.timed_out++;
      if (this.#report({ type: 'call.timedOut', epoch: call.epoch, error: describeError(error) })) this.counts.failures_counted++;
      return this.#fallback(error, call.fallback);
    },
  };
}
