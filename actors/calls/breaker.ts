import { createActor, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { breakerMachine, type BreakerInput, type BreakerStateName } from '../../machines/calls/breaker.js';
import { ErrCircuitOpen, ErrTooManyRequests } from '../../errors/calls.js';
import { describeError } from '../../errors/base.js';
import { silentLogger } from '../../adapters/logger.js';
import type { Facade, HostEnv } from '../host.js';
import { countsAsFailure } from './failure-policy.js';
import { rearmDelays } from '../../machines/xstate-internals.js';
import { hostActorOptions } from '../host.js';

export type BreakerRef = ActorRefFrom<typeof breakerMachine>;
export type BreakerSnapshot = SnapshotFrom<typeof breakerMachine>;

/** What a caller needs from a breaker, whichever actor (root or child) runs its chart. */
export interface Breaker {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Consecutive counted failures in closed. */
  readonly failures: number;
  /**
   * Runs `fn` through the breaker. Rejects with ErrCircuitOpen (open or isolated) or
   * ErrTooManyRequests (halfOpen, probe slots taken) without calling `fn`; otherwise settles as
   * `fn` does. In closed with zero failures a success costs no chart event.
   */
  execute<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Back to closed with zero failures, from any state. */
  reset(): void;
  /** Forced open until `reset()`: every call fails fast. */
  isolate(): void;
}

export interface BreakerPolicy {
  /** Which errors count as failures. Default: network errors, timeouts and 5xx (not 4xx). */
  isFailure?: (error: unknown) => boolean;
  /** Called on every state change, after the chart took it. */
  onStateChange?: (from: BreakerStateName, to: BreakerStateName) => void;
}

export interface BreakerCounters {
  calls: number;
  rejected_open: number;
  rejected_probes: number;
  failures_counted: number;
}

/**
 * Binds the breaker API to a running breaker actor. The decision to let a call through reads the
 * actor's current snapshot (a property read); only state changes are sent as events.
 */
export class BreakerHandle implements Breaker {
  readonly #ref: BreakerRef;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #listener: { unsubscribe(): void } | undefined;
  readonly counts: BreakerCounters = { calls: 0, rejected_open: 0, rejected_probes: 0, failures_counted: 0 };

  constructor(ref: BreakerRef, policy: BreakerPolicy = {}) {
    this.#ref = ref;
    const isFailure = policy.isFailure ?? countsAsFailure;
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

  async execute<T>(fn: () => T | Promise<T>): Promise<T> {
    this.counts.calls++;
    const snapshot = this.#ref.getSnapshot();
    if (snapshot.value === 'closed') {
      if (snapshot.context.failures === 0) {
        // The hot path: no event unless the call fails in a way that counts.
        try {
          return await fn();
        } catch (error) {
          this.#closedOutcome(error);
          throw error;
        }
      }
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        this.#closedOutcome(error);
        throw error;
      }
      this.#closedOutcome(undefined, true);
      return result;
    }
    if (snapshot.value === 'halfOpen') return this.#probe(fn, snapshot);
    this.counts.rejected_open++;
    throw new ErrCircuitOpen(snapshot.context.name, { retryAt: snapshot.context.openUntil, isolated: snapshot.value === 'isolated' });
  }

  reset(): void {
    this.#ref.send({ type: 'breaker.reset' });
  }

  isolate(): void {
    this.#ref.send({ type: 'breaker.isolate' });
  }

  /** Stops listening for state changes (the actor itself belongs to its owner). */
  dispose(): void {
    this.#listener?.unsubscribe();
  }

  /** A call that started in closed settled: report it only if it changes the count. */
  #closedOutcome(error: unknown, succeeded = false): void {
    const now = this.#ref.getSnapshot();
    if (now.value !== 'closed') return; // the chart moved on; a late result of an older call says nothing
    if (!succeeded && this.#isFailure(error)) {
      this.counts.failures_counted++;
      this.#ref.send({ type: 'call.failed', error: describeError(error) });
    } else if (now.context.failures > 0) {
      // The endpoint answered (a success, or an error that is not its fault): the run is broken.
      this.#ref.send({ type: 'call.succeeded' });
    }
  }

  async #probe<T>(fn: () => T | Promise<T>, snapshot: BreakerSnapshot): Promise<T> {
    const { epoch, probes, halfOpenMaxProbes, name } = snapshot.context;
    if (probes >= halfOpenMaxProbes) {
      this.counts.rejected_probes++;
      throw new ErrTooManyRequests(name, halfOpenMaxProbes);
    }
    this.#ref.send({ type: 'probe.started', epoch });
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      if (this.#isFailure(error)) {
        this.counts.failures_counted++;
        this.#ref.send({ type: 'probe.failed', epoch, error: describeError(error) });
      } else {
        this.#ref.send({ type: 'probe.succeeded', epoch });
      }
      throw error;
    }
    this.#ref.send({ type: 'probe.succeeded', epoch });
    return result;
  }
}

/**
 * A persisted breaker snapshot made fit to resume: a probe that was in flight when it was taken
 * belongs to a process that is gone, so its result never comes. Restored as is, its slot would stay
 * taken and every call in halfOpen fail with ErrTooManyRequests forever. Frees the slots.
 */
export function withoutProbesInFlight<T>(snapshot: T): T {
  const { value, context } = (snapshot ?? {}) as { value?: unknown; context?: { probes?: unknown } };
  if (value !== 'halfOpen' || !context || typeof context.probes !== 'number' || context.probes === 0) return snapshot;
  return { ...snapshot, context: { ...context, probes: 0 } };
}

export interface BreakerOptions extends BreakerInput, BreakerPolicy, Partial<HostEnv> {
  /** A persisted snapshot (`getPersistedSnapshot()`) to resume from; an open deadline is re-armed. */
  snapshot?: unknown;
}

export interface BreakerFacade extends Facade, Breaker {
  readonly actor: BreakerRef;
  status(): { name: string; state: BreakerStateName; failures: number; openUntil: number | null; probes: number; lastError: { code: string; message: string } | null };
  counters(): Record<string, number>;
}

/** A standalone breaker actor (its own root) behind the Breaker API and the Facade contract. */
export function createBreaker(options: BreakerOptions = {}): BreakerFacade {
  const logger = options.logger ?? silentLogger;
  const actor = createActor(breakerMachine, {
    input: { name: options.name, maxFailures: options.maxFailures, timeoutMs: options.timeoutMs, halfOpenMaxProbes: options.halfOpenMaxProbes },
    ...(options.snapshot ? { snapshot: withoutProbesInFlight(options.snapshot) as BreakerSnapshot } : {}),
    ...hostActorOptions({ inspect: options.inspect, clock: options.clock, id: options.id }),
  });
  actor.subscribe({ error: (error) => logger.error('breaker actor failed', describeError(error)) });
  const handle = new BreakerHandle(actor, options);
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    actor.start();
    // XState keeps no timers in a snapshot: a breaker restored in open gets its halfOpen deadline back.
    if (options.snapshot) rearmDelays(actor);
  };
  start();
  return {
    actor,
    get name() {
      return handle.name;
    },
    get state() {
      return handle.state;
    },
    get failures() {
      return handle.failures;
    },
    execute: (fn) => handle.execute(fn),
    reset: () => handle.reset(),
    isolate: () => handle.isolate(),
    start,
    async stop() {
      handle.dispose();
      actor.stop();
    },
    status() {
      const { value, context } = actor.getSnapshot();
      return { name: context.name, state: value, failures: context.failures, openUntil: context.openUntil, probes: context.probes, lastError: context.lastError };
    },
    counters() {
      return { ...handle.counts, opened: actor.getSnapshot().context.opened };
    },
  };
}
