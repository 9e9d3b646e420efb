import type { AnyActorRef, AnyMachineSnapshot, AnyStateNode } from 'xstate';

/**
 * Re-arms the `after` timers of an actor restored from a persisted snapshot.
 *
 * XState does not re-run entry actions on restore, so delayed transitions of the active states are
 * never scheduled (statelyai/xstate#5331). statewire charts keep their deadlines as absolute times
 * in context and compute each named delay from them (`msUntil(system, context.deadline)`), so
 * evaluating the delay again now yields exactly the time that is left. The event is scheduled under
 * the id XState itself uses (the after-event type), so leaving the state cancels it as usual.
 *
 * This is statewire's one contact with XState internals for persistence (state nodes' `after`,
 * the machine's delay implementations, the system scheduler); keep it here.
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
