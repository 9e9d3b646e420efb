import { createActor, type AnyActorLogic, type AnyActorRef, type AnyEventObject, type Snapshot, type Subscription } from 'xstate';
import type { Facade, HostEnv } from '../actors/facade.js';
import { describeError } from '../errors/base.js';
import type { Clock } from '../machines/clock.js';
import { rearmDelays } from '../actors/rearm.js';
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
  private subscription: Subscription | undefined;
  private readonly listeners = new Set<(snapshot: Snapshot<unknown>) => void>();
  private state: HostedStatus = 'starting';
  private restarts = 0;
  private errors = 0;
  private readonly restartTimes: number[] = [];
  private lastError: ActorStatus['lastError'] = null;
  private startedAt = 0;
  private restartTimer: unknown;

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

  /** Drains (when the actor has a drain step) until `deadline`, then stops hard. */
  async stop(deadline: number): Promise<StopOutcome> {
    clearTimer(this.host.clock, this.restartTimer);
    if (this.state !== 'running' && this.state !== 'starting') {
      this.finish();
      return 'stopped';
    }
    let outcome: StopOutcome = 'stopped';
    const drain = this.drainStep();
    if (drain) outcome = (await withDeadline(drain(), deadline - this.host.now(), this.host.clock)) ? 'drained' : 'cut';
    await this.finish();
    this.state = 'stopped';
    this.host.emit('actor.stopped', { id: this.id, outcome });
    return outcome;
  }

  /** The actor's drain step: a facade's `drain()`, or a `drain` event its machine accepts. */
  private drainStep(): (() => Promise<unknown>) | undefined {
    const facade = this.currentFacade;
    if (facade?.drain) return () => facade.drain!();
    const snapshot = this.actor.getSnapshot() as { can?: (e: AnyEventObject) => boolean; status: string };
    if (snapshot.status !== 'active' || typeof snapshot.can !== 'function' || !snapshot.can({ type: 'drain' })) return undefined;
    return () =>
      new Promise<void>((resolve) => {
        const done = (s: Snapshot<unknown> & { hasTag?: (t: string) => boolean }) => s.status !== 'active' || s.hasTag?.('drained') === true;
        const sub = this.actor.subscribe({ next: (s) => done(s) && (sub.unsubscribe(), resolve()), error: () => resolve(), complete: () => resolve() });
        this.actor.send({ type: 'drain' });
        if (done(this.actor.getSnapshot())) (sub.unsubscribe(), resolve());
      });
  }

  private incarnate(snapshot?: Snapshot<unknown>): void {
    this.startedAt = this.host.now();
    this.state = 'running';
    const env: HostEnv = { id: this.id, ...this.host.env };
    try {
      if (typeof this.spawnable === 'function') {
        this.currentFacade = this.spawnable(env);
        this.actor = this.currentFacade.actor;
      } else {
        this.currentFacade = undefined;
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
    } catch (error) {
      // A factory or logic that cannot even be built is a failure of this incarnation.
      this.actor = brokenActor(error);
      this.onError(error);
      return;
    }
    this.subscription = this.actor.subscribe({
      next: (s) => this.onSnapshot(s),
      error: (error) => this.onError(error),
      complete: () => this.onSnapshot(this.actor.getSnapshot()),
    });
    if (this.currentFacade) {
      const facade = this.currentFacade;
      Promise.resolve()
        .then(() => facade.start())
        .catch((error: unknown) => facade === this.currentFacade && this.onError(error));
    } else {
      this.actor.start();
      if (snapshot) rearmDelays(this.actor);
    }
    this.host.emit('actor.started', { id: this.id, restarts: this.restarts });
  }

  private onSnapshot(snapshot: Snapshot<unknown>): void {
    if (snapshot.status === 'done' && this.state === 'running') this.state = 'done';
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.host.env.logger?.warn('snapshot listener threw', { id: this.id, error: describeError(error).message });
      }
    }
  }

  private onError(error: unknown): void {
    if (this.state !== 'running' && this.state !== 'starting') return;
    const { message, code } = describeError(error);
    const at = this.host.now();
    this.errors++;
    this.lastError = { message, code, at: new Date(at).toISOString() };
    this.host.emit('actor.error', { id: this.id, message, code });
    this.host.env.logger?.error('actor errored', { id: this.id, code, message });
    void this.finish();
    const decision = decideRestart(this.options.restart ?? this.host.policy, this.restartTimes, at);
    if (!decision.restart) {
      this.state = 'failed';
      this.host.emit('actor.failed', { id: this.id, restarts: this.restarts, message, code });
      return;
    }
    this.state = 'restarting';
    this.restartTimer = this.host.clock.setTimeout(() => {
      this.restarts++;
      this.restartTimes.push(this.host.now());
      this.host.emit('actor.restarted', { id: this.id, restarts: this.restarts, afterMs: decision.delayMs });
      this.incarnate();
    }, decision.delayMs);
  }

  /** Releases the current incarnation: unsubscribes, stops the facade or the actor. */
  private async finish(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    const facade = this.currentFacade;
    try {
      if (facade) await facade.stop();
      else this.actor.stop();
    } catch (error) {
      this.host.env.logger?.warn('stopping actor threw', { id: this.id, error: describeError(error).message });
    }
  }
}

/** Stands in for an actor that could not be created, so status() and the handle keep working. */
function brokenActor(error: unknown): AnyActorRef {
  const snapshot = { status: 'error' as const, output: undefined, error, context: undefined };
  const logic = { transition: () => snapshot, getInitialSnapshot: () => snapshot, getPersistedSnapshot: () => snapshot };
  return createActor(logic as unknown as AnyActorLogic) as AnyActorRef;
}

function isMachine(logic: AnyActorLogic): boolean {
  return typeof (logic as { root?: unknown }).root === 'object' && typeof (logic as { provide?: unknown }).provide === 'function';
}

function clearTimer(clock: Clock, timer: unknown): void {
  if (timer !== undefined) clock.clearTimeout(timer);
}

/** Resolves true when `work` settles within `ms`, false when the deadline came first. */
function withDeadline(work: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    work.then(
      () => (clock.clearTimeout(timer), resolve(true)),
      () => (clock.clearTimeout(timer), resolve(true)),
    );
  });
}
