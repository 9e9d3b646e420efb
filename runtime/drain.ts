import type { AnyActorRef, AnyEventObject, Snapshot } from 'xstate';
import type { Facade } from '../actors/host.js';
import type { Logger } from '../adapters/logger.js';
import { wallClock, withDeadline } from './wall-clock.js';

// The two steps of a hosted actor's stop, each bounded by the stop's deadline (wall-clock ms):
// the drain (finish in-flight work, take no new work), then the hard stop that releases it.

/** How long stop waits past its deadline for an actor's hard stop (a facade's `stop()`) to finish. */
const STOP_GRACE_MS = 1000;

/**
 * The actor's drain step: a facade's `drain()`, or a `drain` event its machine accepts, done once
 * the machine is no longer active or its snapshot carries the `drained` tag. Undefined when it has none.
 */
export function drainStep(actor: AnyActorRef, facade: Facade | undefined): (() => Promise<unknown>) | undefined {
  if (facade?.drain) return () => facade.drain!();
  const snapshot = actor.getSnapshot() as { can?: (e: AnyEventObject) => boolean; status: string };
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
      const sub = actor.subscribe({ next: (s) => done(s) && (sub.unsubscribe(), resolve()), error: () => resolve(), complete: () => resolve() });
      actor.send({ type: 'drain' });
      if (done(actor.getSnapshot())) (sub.unsubscribe(), resolve());
    });
}

/**
 * Runs a drain step until it settles or `interrupted` does, at most until `deadline`; true when it
 * ended in time. A drain that throws (even synchronously) or rejects did not drain cleanly: its
 * error goes to `onError`, and it never aborts the stop.
 */
export function drainBy(drain: () => Promise<unknown>, interrupted: Promise<void>, deadline: number, onError: (error: unknown) => void): Promise<boolean> {
  const work = new Promise<unknown>((resolve) => resolve(drain())).catch(onError);
  return withDeadline(Promise.race([work, interrupted]), deadline - Date.now(), wallClock);
}

/**
 * Runs the hard stop, waiting for it at most until the deadline plus a short grace; false (and a
 * warning) when it hung: the actor is then left behind, so one stuck actor cannot hold up the others.
 */
export async function releaseBy(release: () => Promise<void>, deadline: number, id: string, logger: Logger | undefined): Promise<boolean> {
  const ms = Math.max(0, deadline - Date.now()) + STOP_GRACE_MS;
  const released = await withDeadline(release(), ms, wallClock);
  if (!released) logger?.warn('actor did not stop in time: left behind', { id, waitedMs: ms });
  return released;
}
