/**
 * Event throughput of an actor hosted by the runtime (supervised, observed, listed in status)
 * against the same machine run by raw XState: `createActor(machine).start()` and `send` in a loop.
 * Goal: ratio >= 0.9 — hosting costs at most 10 %.
 */
import { assign, createActor, setup } from 'xstate';
import { createRuntime } from '../runtime/index.js';
import { compare, opsPerSecond } from './lib.js';

const counter = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'inc' } | { type: 'toggle' } },
}).createMachine({
  id: 'counter',
  context: { n: 0 },
  initial: 'a',
  states: {
    a: { on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) }, toggle: 'b' } },
    b: { on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) }, toggle: 'a' } },
  },
});

const EVENTS = 200_000;
const events = [{ type: 'inc' } as const, { type: 'toggle' } as const];

await compare({
  bench: 'runtime.events',
  unit: 'events/s',
  better: 'higher',
  peer: 'xstate createActor().send',
  rounds: 7,
  ours: async () => {
    const runtime = createRuntime();
    const actor = runtime.spawn(counter, { id: 'counter' });
    const rate = await opsPerSecond(EVENTS, (i) => actor.send(events[i & 1]!));
    await runtime.stop({ deadlineMs: 0 });
    return rate;
  },
  theirs: async () => {
    const actor = createActor(counter).start();
    const rate = await opsPerSecond(EVENTS, (i) => actor.send(events[i & 1]!));
    actor.stop();
    return rate;
  },
});
