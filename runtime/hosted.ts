import type { AnyActorLogic, AnyActorRef, AnyEventObject, Snapshot } from 'xstate';
import type { Facade, HostEnv } from '../actors/host.js';
import { describeError } from '../errors/base.js';
import { ActorStoppedError, FacadeUnavailableError } from '../errors/runtime.js';
import type { Clock } from '../machines/clock.js';
import { actorStatus, kindOf } from './actor-status.js';
import { drainBy, drainStep, releaseBy } from './drain.js';
import { brokenActor, buildIncarnation, releaseIncarnation, startIncarnation } from './incarnation.js';
import { stopDeadlineMs } from './options.js';
import type { RestartPolicy } from './restart-policy.js';
import { Supervisor } from './supervisor.js';
import type { ActorStatus, HostedActor, HostedStatus, RuntimeEvents, Spawnable, SpawnOptions, StopOptions, StopOutcome } from './types.js';
import { IncarnationWatch, type WatchTarget } from './watch.js';

/** What the runtime shares with each actor it hosts. */
export interface HostContext {
  env: Omit<HostEnv, 'id'>;
  clock: Clock;
  now: () => number;
  policy: RestartPolicy;
  emit: <K extends keyof RuntimeEvents>(type: K, payload: RuntimeEvents[K]) => void;
  /** Whether anyone listens: a spawn skips building an event nobody reads. */
  listens(type: keyof RuntimeEvents): boolean;
  /** Called once, when the actor's stop has finished: the runtime forgets it. */
  stopped(entry: Hosted, outcome: StopOutcome): void;
}

/**
 * One hosted actor: the handle that stays the same across its incarnations, and the lifecycle that
 * moves it from one to the next. It creates an incarnation (incarnation.ts), watches it for errors
 * (watch.ts), restarts it under its policy (supervisor.ts), and drains and stops it (drain.ts).
 * Spawned by the thousand: what only some actors need (a supervisor, snapshot listeners) is created
 * on first use.
 */
export class Hosted implements HostedActor<AnyActorLogic, Facade>, WatchTarget {
  readonly id: string;
  private actor!: AnyActorRef;
  private currentFacade: Facade | undefined;
  /** Set while the factory has failed to build a facade: `facade` throws it. */
  private unbuilt: { error: unknown } | undefined;
  private listeners: Set<(snapshot: Snapshot<unknown>) => void> | undefined;
  private state: HostedStatus = 'starting';
  /** Created at the first error. */
  private supervisor: Supervisor | undefined;
  private errors = 0;
  private lastError: ActorStatus['lastError'] = null;
  private startedAt = 0;
  /** Numbers the incarnations: callbacks of an older one never act on the current one. */
  private incarnation = 0;
  /** The incarnation whose snapshots reach `subscribe` listeners (0 once it is being released). */
  private live = 0;
  /** Set synchronously when the stop begins (before its first await): no restart from then on. */
  private stopStarted = false;
  private stopping: Promise<StopOutcome> | undefined;
  /** Set when the hard stop begins: `send` and `subscribe` throw from then on. */
  private closed = false;
  /** Set while a drain runs: an error of the actor ends the wait at once. */
  private interruptDrain: (() => void) | undefined;

  constructor(
    private readonly spawnable: Spawnable,
    private readonly options: SpawnOptions,
    private readonly host: HostContext,
  ) {
    this.id = options.id;
  }

  get ref(): AnyActorRef {
    return this.actor;
  }

  get facade(): Facade | undefined {
    if (this.unbuilt) throw new FacadeUnavailableError(this.id, this.unbuilt.error);
    return this.currentFacade;
  }

  get kind(): ActorStatus['kind'] {
    return kindOf(this.spawnable);
  }

  start(): void {
    this.incarnate(this.options.snapshot);
  }

  send(event: AnyEventObject): void {
    if (this.closed) throw new ActorStoppedError(this.id, 'send to');
    this.actor.send(event);
  }

  getSnapshot(): any {
    return this.actor.getSnapshot();
  }

  subscribe(listener: (snapshot: any) => void): () => void {
    if (this.closed) throw new ActorStoppedError(this.id, 'subscribe to');
    const listeners = (this.listeners ??= new Set());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  counters(): Record<string, number> {
    if (this.currentFacade?.counters) return this.currentFacade.counters();
    return this.options.counters ? this.options.counters(this.actor.getSnapshot()) : {};
  }

  status(): ActorStatus {
    const { id, kind, state: status, errors, lastError, startedAt } = this;
    return actorStatus({ id, kind, status, restarts: this.restarts, errors, lastError, startedAt }, this.actor, this.currentFacade);
  }

  stop(options?: StopOptions): Promise<StopOutcome> {
    let deadlineMs: number;
    try {
      deadlineMs = stopDeadlineMs(`stop "${this.id}"`, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.stopBy(Date.now() + deadlineMs);
  }

  /**
   * Drains (when the actor has a drain step) until `deadline` (wall-clock ms: shutdown is real time
   * even when a simulated clock drives the charts), then stops hard. Idempotent: a second call gets
   * the first one's outcome. From here on an error of the actor is recorded, never restarted.
   */
  stopBy(deadline: number): Promise<StopOutcome> {
    if (!this.stopping) {
      this.stopStarted = true;
      this.stopping = this.stopOnce(deadline);
    }
    return this.stopping;
  }

  private get restarts(): number {
    return this.supervisor?.restarts ?? 0;
  }

  private async stopOnce(deadline: number): Promise<StopOutcome> {
    this.supervisor?.stop();
    let outcome: StopOutcome = 'stopped';
    if (this.state === 'running' || this.state === 'starting') {
      const errorsBefore = this.errors;
      const drain = drainStep(this.actor, this.currentFacade);
      if (drain) {
        const interrupted = new Promise<void>((resolve) => (this.interruptDrain = resolve));
        const ended = await drainBy(drain, interrupted, deadline, (error) => this.recordError(error));
        this.interruptDrain = undefined;
        // Clean only when it ended in time and the actor raised no error meanwhile.
        outcome = ended && this.errors === errorsBefore ? 'drained' : 'cut';
      }
      this.closed = true;
      if (!(await this.finishBy(deadline))) outcome = 'cut';
      this.state = 'stopped';
    } else {
      // failed, done or waiting for a restart: release what is left (the facade of a done actor).
      this.closed = true;
      await this.finishBy(deadline);
      if (this.state === 'restarting') this.state = 'stopped';
    }
    this.host.stopped(this, outcome);
    return outcome;
  }

  /** The hard stop; true when it finished by the deadline (plus a grace, drain.ts). */
  private finishBy(deadline: number): Promise<boolean> | boolean {
    // Bare logic stops synchronously: no deadline timer to arm, so stopping many actors stays cheap.
    if (!this.currentFacade) return (void this.finish(), true);
    return releaseBy(() => this.finish(), deadline, this.id, this.host.env.logger);
  }

  private incarnate(snapshot?: Snapshot<unknown>): void {
    const n = ++this.incarnation;
    this.startedAt = this.host.now();
    this.state = 'running';
    this.currentFacade = undefined;
    const watch = new IncarnationWatch(this, n);
    let built;
    try {
      built = buildIncarnation(this.spawnable, this.options, this.host.env, snapshot);
      this.currentFacade = built.facade;
      this.unbuilt = undefined;
      this.actor = built.actor;
      // Kept for the incarnation's whole life (also while it is released), so an error it raises
      // late always has an observer with an `error` callback.
      this.actor.subscribe(watch);
    } catch (error) {
      // A factory or logic that cannot even be built is a failure of this incarnation.
      this.currentFacade = undefined;
      if (typeof this.spawnable === 'function') this.unbuilt = { error };
      this.actor = brokenActor(error);
      this.onError(error, n);
      return;
    }
    this.live = n;
    if (!startIncarnation(built, snapshot, watch)) return;
    if (this.host.listens('actor.started')) this.host.emit('actor.started', { id: this.id, restarts: this.restarts });
  }

  /** @internal WatchTarget: a snapshot of incarnation `n`. */
  onSnapshot(snapshot: Snapshot<unknown>, n: number): void {
    if (n !== this.live) return;
    if (snapshot.status === 'done' && this.state === 'running') this.state = 'done';
    if (!this.listeners) return;
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.host.env.logger?.warn('snapshot listener threw', { id: this.id, error: describeError(error).message });
      }
    }
  }

  /** @internal WatchTarget: incarnation `n` completed (done, or stopped by someone else). */
  onComplete(n: number): void {
    if (n === this.live) this.onSnapshot(this.actor.getSnapshot(), n);
  }

  /** @internal WatchTarget. */
  isSuperseded(n: number): boolean {
    return this.stopStarted || n !== this.incarnation;
  }

  /** Counts an error and makes it the last one. */
  private recordError(error: unknown): { message: string; code: string; at: number } {
    const { message, code } = describeError(error);
    const at = this.host.now();
    this.errors++;
    this.lastError = { message, code, at: new Date(at).toISOString() };
    this.host.emit('actor.error', { id: this.id, message, code });
    this.host.env.logger?.error('actor errored', { id: this.id, code, message });
    return { message, code, at };
  }

  /** @internal WatchTarget: incarnation `n` errored. */
  onError(error: unknown, n: number): void {
    if (n !== this.incarnation) {
      this.host.env.logger?.warn('a released incarnation errored', { id: this.id, error: describeError(error).message });
      return;
    }
    if (this.state !== 'running' && this.state !== 'starting') return;
    if (this.stopStarted) {
      // Stopping: the error is recorded and ends a drain at once; stop() releases the actor.
      this.recordError(error);
      this.interruptDrain?.();
      return;
    }
    const { message, code, at } = this.recordError(error);
    void this.finish();
    const supervisor = (this.supervisor ??= new Supervisor(this.host.clock, this.host.now));
    const decision = supervisor.decide(this.options.restart ?? this.host.policy, at);
    if (!decision.restart) {
      this.state = 'failed';
      this.host.emit('actor.failed', { id: this.id, restarts: supervisor.restarts, message, code });
      return;
    }
    this.state = 'restarting';
    supervisor.schedule(decision.delayMs, () => {
      this.host.emit('actor.restarted', { id: this.id, restarts: supervisor.restarts, afterMs: decision.delayMs });
      this.incarnate();
    });
  }

  /** Releases the current incarnation: its snapshots no longer reach listeners, and it is stopped. */
  private finish(): Promise<void> {
    this.live = 0;
    return releaseIncarnation({ actor: this.actor, facade: this.currentFacade }, this.id, this.host.env.logger);
  }
}
