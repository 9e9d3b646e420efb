import { createActor, type AnyActorRef, type InspectionEvent, type SimulatedClock } from 'xstate';
import { breakerMachine, type BreakerEvent, type BreakerInput, type BreakerVerdict } from '../../../machines/calls/breaker.js';
import { CallTimeoutError, ErrCircuitOpen, ErrTooManyRequests } from '../../../errors/calls.js';
import { describeError } from '../../../errors/base.js';

/**
 * The reference the facade is proven equal to: a deliberately naive driver of the bare chart that
 * SENDS EVERY EVENT (a request for every call, an outcome for every settled call, whatever the
 * state) and reads each verdict from the transition the actor actually took (its
 * `@xstate.microstep` inspection event), never from a prediction. It has no hot path and no plan:
 * "the chart decides every call" taken literally. tests/calls/breaker-equivalence.test.ts runs it
 * and createBreaker side by side over generated interleavings.
 */
export class ReferenceBreaker {
  readonly actor;
  readonly #clock: SimulatedClock;
  readonly #isFailure: (error: unknown) => boolean;
  #taken: Array<{ eventType: string; meta?: unknown }> = [];

  constructor(input: BreakerInput, clock: SimulatedClock, isFailure: (error: unknown) => boolean) {
    this.#clock = clock;
    this.#isFailure = isFailure;
    let self: AnyActorRef | undefined;
    const inspect = (event: InspectionEvent) => {
      if (event.type === '@xstate.microstep' && event.actorRef === self) this.#taken.push(...(event as unknown as { _transitions: Array<{ eventType: string; meta?: unknown }> })._transitions);
    };
    this.actor = createActor(breakerMachine, { input, clock, inspect });
    self = this.actor;
    this.actor.start();
  }

  /** Sends `event` and returns the transitions the actor took for it. */
  send(event: BreakerEvent): Array<{ eventType: string; meta?: unknown }> {
    this.#taken = [];
    this.actor.send(event);
    return this.#taken.filter((transition) => transition.eventType === event.type);
  }

  execute<T>(fn: () => Promise<T>, fallback?: (error: unknown) => T): Promise<T> {
    const answer = <R>(error: unknown): Promise<R> => (fallback ? Promise.resolve(fallback(error) as unknown as R) : Promise.reject(error));
    const [taken] = this.send({ type: 'call.requested' });
    const verdict: BreakerVerdict = (taken?.meta as { verdict?: BreakerVerdict } | undefined)?.verdict ?? 'pass';
    const { context } = this.actor.getSnapshot();
    if (verdict === 'busy') return answer(new ErrTooManyRequests(context.name, context.halfOpenMaxProbes));
    if (verdict === 'open' || verdict === 'isolated') return answer(new ErrCircuitOpen(context.name, { retryAt: context.openUntil, isolated: verdict === 'isolated' }));
    const epoch = context.epoch;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (result: Promise<T>) => result.then(resolve, reject);
      const timer =
        context.callTimeoutMs > 0
          ? this.#clock.setTimeout(() => {
              if (settled) return;
              settled = true;
              const error = new CallTimeoutError(context.name, context.callTimeoutMs);
              this.send({ type: 'call.timedOut', epoch, error: describeError(error) });
              settle(answer(error));
            }, context.callTimeoutMs)
          : undefined;
      fn().then(
        (value) => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          this.send({ type: 'call.succeeded', epoch });
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          if (!this.#isFailure(error)) {
            this.send({ type: 'call.succeeded', epoch });
            return reject(error);
          }
          this.send({ type: 'call.failed', epoch, error: describeError(error) });
          settle(answer(error));
        },
      );
    });
  }
}
