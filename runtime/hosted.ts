import type { AnyActorLogic, AnyActorRef, AnyEventObject, Snapshot } from 'xstate';
import type { Facade, HostEnv } from '../actors/host.js';
import { describeError } from '../errors/base.js';
import type { Clock } from '../machines/clock.js';
import { actorStatus, kindOf } from './actor-status.js';
import { drainBy, drainStep, releaseBy } from './drain.js';
import { brokenActor, buildIncarnation, releaseIncarnation, startIncarnation } from './incarnation.js';
import type { RestartPolicy } from './restart-policy.js';
import { Supervisor } from './supervisor.js';
import type { ActorStatus, HostedActor, HostedStatus, RuntimeEvents, Spawnable, SpawnOptions, StopOutcome } from './types.js';

/** What the runtime shares with each actor it hosts. */
export interface HostContext {
  env: Omit<HostEnv, 'id'>;
  clock: Clock;
  now: () => number;
  policy: RestartPolicy;
  emit: <K extends keyof RuntimeEvents>(type: K, payload: RuntimeEvents[K]) => void;
}

/**
 * One hosted actor: the handle that stays the same across its incarnations, and the lifecycle that
 * moves it from one to the next. It creates an incarnation (incarnation.ts), watches it for errors,
 * restarts it under its policy (supervisor.ts), and drains and stops it (drain.ts). Every observer
 * it attaches has an `error` callback, so an actor error never reaches XState's unhandled-error path
 * (which would exit the process, #3645).
 */
export class Hosted implements HostedActor<AnyActorLogic, Facade> {
  readonly id: string;
  private actor!: AnyActorRef;
  private currentFacade: Facade | undefined;
  private readonly listeners = new Set<(snapshot: Snapshot<unknown>) => void>();
  private state: HostedStatus = 'starting';
  private readonly supervisor: Supervisor;
  private errors = 0;
  private lastError: ActorStatus['lastError'] = null;
  private startedAt = 0;
  /** Numbers the incarnations: callbacks of an older one never act on the current one. */
  private incarnation = 0;
  /** The incarnation whose snapshots reach `subscribe` listeners (0 once it is being released). */
  private live = 0;
  private stopping: Promise<StopOutcome> | undefined;
  /** Set while a drain runs: an error of the actor ends the wait at once. */
  private interruptDrain: (() => void) | undefined;

  constructor(
    private readonly spawnable: Spawnable,
    private readonly options: SpawnOptions,
    private readonly host: HostContext,
  ) {
    this.id = options.id;
    this.supervisor = new Supervisor(host.clock, host.now);
  }

  get ref(): AnyActorRef {
    return this.actor;
  }

  get facade(): Facade | undefined {
    return this.currentFacade;
  }

  /** The facade when there is one, so `/status` can show its own status. */
  get kind(): ActorStatus['kind'] {
    return kindOf(this.spawnable);
  }

  start(): void {
    this.incarnate(this.options.snapshot);
  }

  send(event: AnyEventObject): void {
    this.actor.send(event);
  }

  getSnapshot(): any {
    return this.actor.getSnapshot();
  }

  subscribe(listener: (snapshot: any) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  counters(): Record<string, number> {
    if (this.currentFacade?.counters) return this.currentFacade.counters();
    return this.options.counters ? this.options.counters(this.actor.getSnapshot()) : {};
  }

  status(): ActorStatus {
    const { id, kind, state: status, errors, lastError, startedAt } = this;
    return actorStatus({ id, kind, status, restarts: this.supervisor.restarts, errors, lastError, startedAt }, this.actor, this.currentFacade);
  }

  /**
   * Drains (when the actor has a drain step) until `deadline` (wall-clock ms: shutdown is real time
   * even when a simulated clock drives the charts), then stops hard. Idempotent: a second call gets
   * the first one's outcome. From here on an error of the actor is recorded, never restarted.
   */
  stop(deadline: number): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce(deadline);
    return this.stopping;
  }

  private async stopOnce(deadline: number): Promise<StopOutcome> {
    this.supervisor.stop();
    if (this.state !== 'running' && this.state !== 'starting') {
      // failed, done or waiting for a restart: release what is left (the facade of a done actor).
      await this.finishBy(deadline);
      if (this.state === 'restarting') this.state = 'stopped';
      return 'stopped';
    }
    let outcome: StopOutcome = 'stopped';
    const errorsBefore = this.errors;
    const drain = drainStep(this.actor, this.currentFacade);
    if (drain) {
      const interrupted = new Promise<void>((resolve) => (this.interruptDrain = resolve));
      const ended = await drainBy(drain, interrupted, deadline, (error) => this.recordError(error));
      this.interruptDrain = undefined;
      // Clean only when it ended in time and the actor raised no error meanwhile.
      outcome = ended && this.errors === errorsBefore ? 'drained' : 'cut';
    }
    if (!(await this.finishBy(deadline))) outcome = 'cut';
    this.state = 'stopped';
    this.host.emit('actor.stopped', { id: this.id, outcome });
    return outcome;
  }

  private finishBy(deadline: number): Promise<boolean> {
    return releaseBy(() => this.finish(), deadline, this.id, this.host.env.logger);
  }

  private incarnate(snapshot?: Snapshot<unknown>): void {
    const n = ++this.incarnation;
    this.startedAt = this.host.now();
    this.state = 'running';
    this.currentFacade = undefined;
    const env: HostEnv = { id: this.id, ...this.host.env };
    try {
      const built = buildIncarnation(this.spawnable, this.options, env, snapshot);
      this.currentFacade = built.facade;
      this.actor = built.actor;
      // Kept for the incarnation's whole life (also while it is released), so an error it raises
      // late always has an observer with an `error` callback.
      this.actor.subscribe({
        next: (s) => this.onSnapshot(s, n),
        error: (error) => this.onError(error, n),
        complete: () => this.onSnapshot(this.actor.getSnapshot(), n),
      });
    } catch (error) {
      // A factory or logic that cannot even be built is a failure of this incarnation.
      this.currentFacade = undefined;
      this.actor = brokenActor(error);
      this.onError(error, n);
      return;
    }
    this.live = n;
    const superseded = () => this.stopping !== undefined || n !== this.incarnation;
    if (!startIncarnation({ actor: this.actor, facade: this.currentFacade }, snapshot, superseded, (error) => this.onError(error, n))) return;
    this.host.emit('actor.started', { id: this.id, restarts: this.supervisor.restarts });
  }

  private onSnapshot(snapshot: Snapshot<unknown>, n: number): void {
    if (n !== this.live) return;
    if (snapshot.status === 'done' && this.state === 'running') this.state = 'done';
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.host.env.logger?.warn('snapshot listener threw', { id: this.id, error: describeError(error).message });
      }
    }
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

  private onError(error: unknown, n: number): void {
    if (n !== this.incarnation) {
      this.host.env.logger?.warn('a released incarnation errored', { id: this.id, error: describeError(error).message });
      return;
    }
    if (this.state !== 'running' && this.state !== 'starting') return;
    if (this.stopping) {
      // Stopping: the error is recorded and ends a drain at once; stop() releases the actor.
      this.recordError(error);
      this.interruptDrain?.();
      return;
    }
    const { message, code, at } = this.recordError(error);
    void this.finish();
    const decision = this.supervisor.decide(this.options.restart ?? this.host.policy, at);
    if (!decision.restart) {
      this.state = 'failed';
      this.host.emit('actor.failed', { id: this.id, restarts: this.supervisor.restarts, message, code });
      return;
    }
    this.state = 'restarting';
    this.supervisor.schedule(decision.delayMs, () => {
      this.host.emit('actor.restarted', { id: this.id, restarts: this.supervisor.restarts, afterMs: decision.delayMs });
      this.incarnate();
    });
  }

  /** Releases the current incarnation: its snapshots no longer reach listeners, and it is stopped. */
  private finish(): Promise<void> {
    this.live = 0;
    return releaseIncarnation({ actor: this.actor, facade: this.currentFacade }, this.id, this.host.env.logger);
  }
}
