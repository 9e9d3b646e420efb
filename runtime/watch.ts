import type { Snapshot } from 'xstate';

/** What a watch reports to: the hosted actor, told which incarnation spoke. */
export interface WatchTarget {
  onSnapshot(snapshot: Snapshot<unknown>, incarnation: number): void;
  onError(error: unknown, incarnation: number): void;
  onComplete(incarnation: number): void;
  /** Whether a stop or a newer incarnation has replaced this one (a facade then never starts). */
  isSuperseded(incarnation: number): boolean;
}

/**
 * The observer the runtime subscribes to each incarnation, numbered so a callback of an older one
 * never acts on the current one. A class, not three closures per actor: XState binds each method
 * once (`toObserver`), and methods on the prototype keep a spawn at about the cost of a bare
 * `createActor` (closures, each renamed by tsx's keepNames, took a third of the runtime's heap per actor).
 * It always has `error`, so an actor error never reaches XState's unhandled-error path (which
 * would exit the process, #3645).
 */
export class IncarnationWatch {
  constructor(
    private readonly target: WatchTarget,
    readonly incarnation: number,
  ) {}

  next(snapshot: Snapshot<unknown>): void {
    this.target.onSnapshot(snapshot, this.incarnation);
  }

  error(error: unknown): void {
    this.target.onError(error, this.incarnation);
  }

  complete(): void {
    this.target.onComplete(this.incarnation);
  }

  get superseded(): boolean {
    return this.target.isSuperseded(this.incarnation);
  }
}
