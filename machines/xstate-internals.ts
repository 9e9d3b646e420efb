import type { ActorSystem, AnyActorRef, AnyMachineSnapshot, AnyStateNode } from 'xstate';

/**
 * statewire's every contact with XState internals, in one place, each with the XState behaviour it
 * works around. Nothing else in the tree reads an underscored field of XState or schedules on its
 * system directly, so a move to a later XState (v6 changes `setup` and the actor creators) starts
 * and ends here. Each accessor degrades to public behaviour when the internal is not there.
 */

type AnyActorSystem = ActorSystem<any>;

/**
 * The system clock's "now" (`system._clock`, internal in v5: the system exposes `scheduler` but
 * not the clock it schedules on).
 *
 * Charts keep deadlines as absolute times in context because XState does not re-arm `after` timers
 * from a persisted snapshot (statelyai/xstate#5331), so they need "now" from the same clock that
 * drives their delays: `SimulatedClock.now()` in tests, the wall clock otherwise. XState's default
 * clock has no `now`, hence the fallback to `Date.now()`.
 */
export function systemNow(system: AnyActorSystem): number {
  const clock = (system as { _clock?: { now?: () => number } })._clock;
  return typeof clock?.now === 'function' ? clock.now() : Date.now();
}

/**
 * The actor that spawned or invoked `self` (`self._parent`, internal in v5).
 *
 * A callback actor recreated on restore (its entry action, which would have told it what to do,
 * is not re-run: statelyai/xstate#5331) reads its parent's restored snapshot to catch up.
 */
export function parentOf(self: AnyActorRef): AnyActorRef | undefined {
  return (self as { _parent?: AnyActorRef })._parent;
}

/**
 * Re-arms the `after` timers of an actor restored from a persisted snapshot.
 *
 * XState does not re-run entry actions on restore, so delayed transitions of the active states are
 * never scheduled (statelyai/xstate#5331). statewire charts keep their deadlines as absolute times
 * in context and compute each named delay from them (`msUntil(system, context.deadline)`), so
 * evaluating the delay again now yields exactly the time that is left. The event is scheduled under
 * the id XState itself uses (the after-event type), so leaving the state cancels it as usual.
 *
 * Internals read: the snapshot's active state nodes (`_nodes`) and their `after` transitions, the
 * machine's delay implementations, and the system scheduler.
 * Returns how many timers were armed, children included.
 */
export function rearmDelays(actor: AnyActorRef): number {
  const snapshot = actor.getSnapshot() as AnyMachineSnapshot | undefined;
  if (!snapshot || snapshot.status !== 'active' || !Array.isArray((snapshot as { _nodes?: unknown })._nodes)) return 0;
  const nodes = (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes;
  const delays = (snapshot.machine.implementations.delays ?? {}) as Record<string, unknown>;
  let armed = 0;
  for (const node of nodes) {
    const done = new Set<string>();
    for (const transition of node.after) {
      if (done.has(transition.eventType)) continue;
      done.add(transition.eventType);
      const config = typeof transition.delay === 'string' ? delays[transition.delay] : transition.delay;
      const args = { context: snapshot.context, event: { type: 'xstate.restored' }, self: actor, system: actor.system };
      const ms = typeof config === 'function' ? (config as (a: unknown, p: unknown) => unknown)(args, undefined) : config;
      if (typeof ms !== 'number') continue;
      actor.system.scheduler.schedule(actor, actor, { type: transition.eventType }, ms, transition.eventType);
      armed++;
    }
  }
  for (const child of Object.values(snapshot.children ?? {})) {
    if (child) armed += rearmDelays(child as AnyActorRef);
  }
  return armed;
}
