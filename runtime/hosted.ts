import { createActor, type AnyActorLogic, type AnyActorRef, type AnyEventObject, type Snapshot } from 'xstate';
import { brokenActor, clearTimer, isFacade, isMachine, STOP_GRACE_MS, wallClock, withDeadline } from './incarnation.js';
import type { Facade, HostEnv } from '../actors/host.js';
import { ConfigError, describeError } from '../errors/base.js';
import type { Clock } from '../machines/clock.js';
import { rearmDelays } from '../machines/xstate-internals.js';
import { decideRestart, type RestartPolicy } from './restart-policy.js';
import type { ActorStatus, HostedActor, HostedStatus, RuntimeEvents, Spawnable, SpawnOptions, StopOutcome } from './types.js';

export interface HostContext {
  env: Omit<HostEnv, 'id'>;
  clock: Clock;
  now: () => number;
  policy: RestartPolicy;
  emit: <K extends keyof RuntimeEvents>(type: K, payload: RuntimeEvents[K]) => void;
}

/**
 * One hosted actor and its incarnations: creates it, watches it for errors, restarts it under its
 * policy, and drains and stops it. Every observer it attaches has an `error` callback, so an actor
 * error never reaches XState's unhandled-error path (which would exit the process, #3645).
 */
export class Hosted implements HostedActor<AnyActorLogic, Facade> {
  readonly id: string;
  private actor!: AnyActorRef;
  private currentFacade: Facade | undefined;
  private readonly listeners = new Set<(snapshot: Snapshot<unknown>) => void>();
  private state: HostedStatus = 'starting';
  private restarts = 0;
  private errors = 0;
  private readonly restartTimes: number[] = [];
  private lastError: ActorStatus['lastError'] = null;
  private startedAt = 0;
  private restartTimer: unknown;
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
  }

  get ref(): AnyActorRef {
    return this.actor;
  }

  get facade(): Facade | undefined {
    return this.currentFacade;
  }

  /** The facade when there is one, so `/status` can show its own status. */
  get kind(): ActorStatus['kind'] {
    if (typeof this.spawnable === 'function') return 'facade';
    return isMachine(this.spawnable) ? 'machine' : 'logic';
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
    const snapshot = this.actor.getSnapshot() as Snapshot<unknown> & { value?: unknown; machine?: { id: string }; hasTag?: (t: string) => boolean };
    const status: ActorStatus = {
      id: this.id,
      kind: this.kind,
      machineId: snapshot.machine?.id ?? null,
      state: (snapshot.value as ActorStatus['state']) ?? null,
      status: this.state,
      ready: this.state === 'running' && snapshot.status === 'active' && snapshot.hasTag?.('ready') === true,
      restarts: this.restarts,
      errors: this.errors,
      lastError: this.lastError,
      startedAt: new Date(this.startedAt).toISOString(),
    };
    if (this.currentFacade) {
      try {
        status.details = this.currentFacade.status();
      } catch (error) {
        status.details = { error: describeError(error).message };
      }
    }
    return status;
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
    clearTimer(this.host.clock, this.restartTimer);
    this.restartTimer = undefined;
    if (this.state !== 'running' && this.state !== 'starting') {
      // failed, done or waiting for a restart: release what is left (the facade of a done actor).
      await this.finishBy(deadline);
      if (this.state === 'restarting') this.state = 'stopped';
      return 'stopped';
    }
    let outcome: StopOutcome = 'stopped';
    const errorsBefore = this.errors;
    const drain = this.drainStep();
    if (drain) {
      const interrupted = new Promise<void>((resolve) => (this.interruptDrain = resolve));
      // A drain that throws (even synchronously) or rejects did not drain cleanly; it never aborts the stop.
      const work = new Promise<unknown>((resolve) => resolve(drain())).catch((error: unknown) => this.recordError(error));
      const clean = await withDeadline(Promise.race([work, interrupted]), deadline - Date.now(), wallClock);
      this.interruptDrain = undefined;
      outcome = clean && this.errors === errorsBefore ? 'drained' : 'cut';
    }
    if (!(await this.finishBy(deadline))) outcome = 'cut';
    this.state = 'stopped';
    this.host.emit('actor.stopped', { id: this.id, outcome });
    return outcome;
  }

  /** Releases the incarnation, waiting for it at most until the deadline plus a short grace. */
  private async finishBy(deadline: number): Promise<boolean> {
    const ms = Math.max(0, deadline - Date.now()) + STOP_GRACE_MS;
    const released = await withDeadline(this.finish(), ms, wallClock);
    if (!released) this.host.env.logger?.warn('actor did not stop in time: left behind', { id: this.id, waitedMs: ms });
    return released;
  }

  /** The actor's drain step: a facade's `drain()`, or a `drain` event its machine accepts. */
  private drainStep(): (() => Promise<unknown>) | undefined {
    const facade = this.currentFacade;
    if (facade?.drain) return () => facade.drain!();
    const snapshot = this.actor.getSnapshot() as { can?: (e: AnyEventObject) => boolean; status: string };
    let accepts: boolean;
    try {
      accepts = snapshot.status === 'active' && typeof snapshot.can === 'function' && snapshot.can({ type: 'drain' });
    } catch (error) {
      // `can` runs the chart's guards: one that throws is a failed drain, not a failed stop.
      return () => Promise.reject(error);
    }
    if (!accepts) return undefined;
    return () =>
      new Promise<void>((resolve) => {
        const done = (s: Snapshot<unknown> & { hasTag?: (t: string) => boolean }) => s.status !== 'active' || s.hasTag?.('drained') === true;
        const sub = this.actor.subscribe({ next: (s) => done(s) && (sub.unsubscribe(), resolve()), error: () => resolve(), complete: () => resolve() });
        this.actor.send({ type: 'drain' });
        if (done(this.actor.getSnapshot())) (sub.unsubscribe(), resolve());
      });
  }

  private incarnate(snapshot?: Snapshot<unknown>): void {
    const n = ++this.incarnation;
    this.startedAt = this.host.now();
    this.state = 'running';
    this.currentFacade = undefined;
    const env: HostEnv = { id: this.id, ...this.host.env };
    try {
      if (typeof this.spawnable === 'function') {
        const facade = this.spawnable(env);
        if (!isFacade(facade)) throw new ConfigError(`spawn "${this.id}": the factory did not return a facade ({ actor, start, stop, status })`, { id: this.id });
        this.currentFacade = facade;
        this.actor = facade.actor;
      } else {
        // Only defined options: XState spreads them over its defaults, so `clock: undefined` would
        // replace the default clock and break every delay.
        const { inspect, clock } = this.host.env;
        this.actor = createActor(this.spawnable as AnyActorLogic, {
          id: this.id,
          input: this.options.input,
          ...(snapshot ? { snapshot } : {}),
          ...(inspect ? { inspect } : {}),
          ...(clock ? { clock } : {}),
        });
      }
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
    if (this.currentFacade) {
      const facade = this.currentFacade;
      Promise.resolve()
        .then(() => (this.stopping || n !== this.incarnation ? undefined : facade.start()))
        .catch((error: unknown) => this.onError(error, n));
    } else {
      this.actor.start();
      if (snapshot) {
        try {
          rearmDelays(this.actor);
        } catch (error) {
          this.onError(error, n);
          return;
        }
      }
    }
    this.host.emit('actor.started', { id: this.id, restarts: this.restarts });
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
    const policy = this.options.restart ?? this.host.policy;
    // Only the restarts inside the window matter: forget older ones (a rarely failing actor lives long).
    if (policy !== 'never') while (this.restartTimes.length && at - this.restartTimes[0]! >= policy.withinMs) this.restartTimes.shift();
    const decision = decideRestart(policy, this.restartTimes, at);
    if (!decision.restart) {
      this.state = 'failed';
      this.host.emit('actor.failed', { id: this.id, restarts: this.restarts, message, code });
      return;
    }
    this.state = 'restarting';
    this.restartTimer = this.host.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.restartTimes.push(this.host.now());
      this.host.emit('actor.restarted', { id: this.id, restarts: this.restarts, afterMs: decision.delayMs });
      this.incarnate();
    }, decision.delayMs);
  }

  /** Releases the current incarnation: stops the facade or the actor (its snapshots no longer reach listeners). */
  private async finish(): Promise<void> {
    this.live = 0;
    const facade = this.currentFacade;
    try {
      if (facade) await facade.stop();
      else this.actor.stop();
    } catch (error) {
      this.host.env.logger?.warn('stopping actor threw', { id: this.id, error: describeError(error).message });
    }
  }
}
