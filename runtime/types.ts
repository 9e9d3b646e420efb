import type { ActorRefFromLogic, AnyActorLogic, EventFromLogic, InputFrom, InspectionEvent, Observer, Snapshot, SnapshotFrom, StateValue } from 'xstate';
import type { Facade, HostEnv } from '../actors/host.js';
import type { HostLogger } from '../adapters/logger.js';
import type { Clock } from '../machines/clock.js';
import type { RestartPolicy } from './restart-policy.js';

/** What `spawn` hosts: XState logic (a machine, a promise, …) or a factory of a statewire facade. */
export type Spawnable = AnyActorLogic | ((env: HostEnv) => Facade);

export interface RuntimeOptions {
  /** Handed unchanged to every actor: `@statelyai/inspect` inspectors and `createTraceRecorder` work as-is. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Drives every actor's delays and the runtime's restart backoff (stop deadlines are always wall-clock time). Default: the wall clock. */
  clock?: Clock;
  /**
   * statewire's `Logger`, a pino-style logger (`info(fields, message)`, taken as it is) or the
   * console. Each hosted facade gets a child of it whose records carry `{ actor: id }`. Default: silent.
   */
  logger?: HostLogger;
  /** Policy for actors spawned without one. Default `defaultRestartPolicy`. */
  restart?: RestartPolicy;
  /**
   * How many stopped actors' final statuses `runtime.stopped()` keeps (the last ones, oldest first).
   * A stopped actor leaves the registry either way. Default 100; 0 keeps none.
   */
  keepStopped?: number;
}

export interface StopOptions {
  /** Wall-clock ms the drains may take before actors are stopped hard. Default 10 000; `Infinity` waits. */
  deadlineMs?: number;
}

export interface SpawnOptions<TInput = unknown> {
  /** Unique among the runtime's actors. */
  id: string;
  /** Input of the logic (ignored for facade factories, which take their options themselves). */
  input?: TInput;
  /** Supervision when the actor errors. Default: the runtime's `restart` option. */
  restart?: RestartPolicy;
  /** A persisted snapshot (from `runtime.snapshot()`) to restore; its `after` timers are re-armed. */
  snapshot?: Snapshot<unknown>;
  /** Counters for /metrics derived from the actor's snapshot (facades bring their own `counters()`). */
  counters?: (snapshot: Snapshot<unknown>) => Record<string, number>;
}

export type HostedStatus = 'starting' | 'running' | 'restarting' | 'failed' | 'done' | 'stopped';

export interface ActorStatus {
  id: string;
  kind: 'machine' | 'logic' | 'facade';
  /** The machine's id, or null for logic that is not a state machine. */
  machineId: string | null;
  /** The current state value (null when the logic has none). */
  state: StateValue | null;
  status: HostedStatus;
  /** Whether the snapshot carries the `ready` tag (what /readyz waits for). */
  ready: boolean;
  restarts: number;
  errors: number;
  lastError: { message: string; code: string; at: string } | null;
  startedAt: string;
  /** A facade's own `status()`. */
  details?: unknown;
}

/** A hosted actor. Stable across restarts: it always talks to the current incarnation. */
export interface HostedActor<TLogic extends AnyActorLogic = AnyActorLogic, TFacade extends Facade = Facade> {
  readonly id: string;
  /** The current XState actor (a new one after each restart). */
  readonly ref: ActorRefFromLogic<TLogic>;
  /**
   * The current facade, for actors spawned from a facade factory (undefined for bare logic). Throws
   * `FacadeUnavailableError` (SW_RUNTIME_NO_FACADE) while the factory has failed to build one.
   */
  readonly facade: TFacade | undefined;
  /** Throws `ActorStoppedError` (SW_RUNTIME_ACTOR_STOPPED) once the actor's hard stop has begun. */
  send(event: EventFromLogic<TLogic>): void;
  getSnapshot(): SnapshotFrom<TLogic>;
  /**
   * Snapshot listener that survives restarts. Returns the unsubscribe function. Throws
   * `ActorStoppedError` once the actor's hard stop has begun (the listener would never be called).
   */
  subscribe(listener: (snapshot: SnapshotFrom<TLogic>) => void): () => void;
  status(): ActorStatus;
  /**
   * Drains and stops this actor alone (as `runtime.stop()` does each one), then the runtime forgets
   * it: `get(id)` no longer finds it, its id is free, and its final status goes to `runtime.stopped()`.
   * A second call returns the first one's outcome.
   */
  stop(options?: StopOptions): Promise<StopOutcome>;
}

/** What `spawn(factory, options)` returns: `facade` is the factory's own type. */
export interface HostedFacade<TFacade extends Facade> extends HostedActor<AnyActorLogic, TFacade> {
  /** The current facade. Throws `FacadeUnavailableError` while the factory has failed to build one. */
  readonly facade: TFacade;
}

/** `InputFrom` of a logic, for typed `spawn` options. */
export type SpawnInput<TLogic extends AnyActorLogic> = InputFrom<TLogic>;

export type StopOutcome = 'drained' | 'cut' | 'stopped';

export interface StopReport {
  /** Actors whose drain step finished before the deadline. */
  drained: string[];
  /**
   * Actors stopped hard without a clean drain: the drain was cut at the deadline, or it threw or
   * rejected, or the actor errored while draining (see its `lastError`), or its hard stop hung.
   */
  cut: string[];
  /** Actors with no drain step (or not running), stopped directly. */
  stopped: string[];
}

export interface RuntimeEvents {
  'actor.started': { id: string; restarts: number };
  'actor.error': { id: string; message: string; code: string };
  'actor.restarted': { id: string; restarts: number; afterMs: number };
  'actor.failed': { id: string; restarts: number; message: string; code: string };
  /** Every stopped actor, as it leaves the registry; `status` is its final status. */
  'actor.stopped': { id: string; outcome: StopOutcome; status: ActorStatus };
}
