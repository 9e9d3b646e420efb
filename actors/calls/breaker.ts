import { createActor, type SnapshotFrom } from 'xstate';
import { breakerMachine, breakerSettings, type BreakerInput, type BreakerStateName } from '../../machines/calls/breaker.js';
import { windowTotals, type WindowTotals } from '../../machines/calls/breaker-window.js';
import { describeError } from '../../errors/base.js';
import { silentLogger } from '../../adapters/logger.js';
import type { Facade, HostEnv } from '../host.js';
import { BreakerHandle, type Breaker, type BreakerPolicy, type BreakerRef } from './breaker-handle.js';
import { checkBreakerPolicy } from './breaker-options.js';
import { rearmDelays } from '../../machines/xstate-internals.js';
import { hostActorOptions } from '../host.js';

export {
  BreakerHandle,
  type Breaker,
  type BreakerCounters,
  type BreakerEventType,
  type BreakerListener,
  type BreakerPolicy,
  type BreakerRef,
  type CallContext,
  type ExecuteOptions,
} from './breaker-handle.js';
export type BreakerSnapshot = SnapshotFrom<typeof breakerMachine>;

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

/** Context fields a snapshot persisted before they existed lacks, with the values that change nothing. */
const ADDED_SINCE_FIRST_RELEASE = { window: [], lastOutcome: null, callTimeoutMs: 0, sampling: null, rejected: 0 } as const;

/**
 * A persisted breaker snapshot made fit to resume in this process: probes in flight freed
 * (withoutProbesInFlight), listeners of `breaker.succeeded` forgotten (they were the old process's:
 * left counted, every success would cost an event for nobody), and fields added since the
 * snapshot's version filled in (a missing `sampling` would read as a rule and fail its guard).
 */
export function resumableBreakerSnapshot<T>(snapshot: T): T {
  const freed = withoutProbesInFlight(snapshot);
  const context = (freed as { context?: unknown } | null)?.context;
  if (typeof context !== 'object' || context === null) return freed;
  const missing = Object.entries(ADDED_SINCE_FIRST_RELEASE).filter(([field]) => (context as Record<string, unknown>)[field] === undefined);
  return { ...freed, context: { ...Object.fromEntries(missing), ...context, successObservers: 0 } };
}

export interface BreakerOptions extends BreakerInput, BreakerPolicy, Partial<HostEnv> {
  /** A persisted snapshot (`getPersistedSnapshot()`) to resume from; an open deadline is re-armed. */
  snapshot?: unknown;
}

export interface BreakerStatus {
  name: string;
  state: BreakerStateName;
  failures: number;
  openUntil: number | null;
  probes: number;
  lastError: { code: string; message: string } | null;
  /** The sampling rule's window totals (zeros without it). */
  window: WindowTotals;
}

export interface BreakerFacade extends Facade, Breaker {
  readonly actor: BreakerRef;
  status(): BreakerStatus;
  counters(): Record<string, number>;
}

/**
 * A standalone breaker actor (its own root) behind the Breaker API and the Facade contract.
 * Options are checked first (ConfigError); after `stop()` every call rejects with
 * CallsStoppedError without running `fn` (the handle reads the stopped actor's status).
 */
export function createBreaker(options: BreakerOptions = {}): BreakerFacade {
  const settings = breakerSettings(options);
  checkBreakerPolicy(options);
  const logger = options.logger ?? silentLogger;
  const input: BreakerInput = { ...settings, sampling: settings.sampling ?? undefined };
  const actor = createActor(breakerMachine, {
    input,
    ...(options.snapshot ? { snapshot: resumableBreakerSnapshot(options.snapshot) as BreakerSnapshot } : {}),
    ...hostActorOptions({ inspect: options.inspect, clock: options.clock, id: options.id }),
  });
  actor.subscribe({ error: (error) => logger.error('breaker actor failed', describeError(error)) });
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    actor.start();
    // XState keeps no timers in a snapshot: a breaker restored in open gets its halfOpen deadline back.
    if (options.snapshot) rearmDelays(actor);
  };
  start();
  const handle = new BreakerHandle(actor, options);
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
    execute: (fn, callOptions) => handle.execute(fn, callOptions),
    reset: () => handle.reset(),
    isolate: () => handle.isolate(),
    on: (type, listener) => handle.on(type, listener),
    start,
    async stop() {
      handle.dispose();
      actor.stop();
    },
    status() {
      const { value, context } = actor.getSnapshot();
      return {
        name: context.name,
        state: value,
        failures: context.failures,
        openUntil: context.openUntil,
        probes: context.probes,
        lastError: context.lastError,
        window: windowTotals(context.window ?? []),
      };
    },
    counters() {
      return { ...handle.counts, opened: actor.getSnapshot().context.opened };
    },
  };
}
