import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, setup } from 'xstate';
import type { Facade, HostEnv } from '../../actors/host.js';
import { createRuntime, type HostedActor, type HostedFacade } from '../../runtime/index.js';

// Type-level test, compiled by `tsc --noEmit` (tests/ is in tsconfig): issue 19, `spawn(factory)`
// gives `hosted.facade` the factory's own type, not `T | undefined`. With the old typing the lines
// marked "compile check" do not compile; the runtime assertions keep it a test uvu runs too.

/** `true` only when A and B are the same type (a plain `extends` would let `T | undefined` through one way). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const counter = setup({ types: { context: {} as { n: number }, events: {} as { type: 'inc' }, input: {} as { start: number } } }).createMachine({
  id: 'counter',
  context: ({ input }) => ({ n: input.start }),
  on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

interface GreeterFacade extends Facade {
  greet(name: string): string;
}

function createGreeter(env: HostEnv & { greeting: string }): GreeterFacade {
  const actor = createActor(counter, { input: { start: 0 } });
  return {
    actor,
    start: () => void actor.start(),
    stop: async () => void actor.stop(),
    status: () => ({ id: env.id }),
    greet: (name) => `${env.greeting}, ${name}`,
  };
}

test('spawn(factory): facade is the factory type; spawn(logic): typed events and input, no facade type', async () => {
  const runtime = createRuntime();
  const greeter = runtime.spawn((env) => createGreeter({ ...env, greeting: 'hello' }), { id: 'greeter' });

  // compile check: assignable without `!` or a guard, and exactly the factory's type.
  const facade: GreeterFacade = greeter.facade;
  const exact: Equals<typeof greeter.facade, GreeterFacade> = true;
  const handle: HostedFacade<GreeterFacade> = greeter;
  assert.is(facade.greet('ops'), 'hello, ops');
  assert.is(greeter.facade.greet('again'), 'hello, again');
  assert.ok(exact && handle === greeter);

  const bare = runtime.spawn(counter, { id: 'counter', input: { start: 41 } });
  bare.send({ type: 'inc' });
  // @ts-expect-error events are typed from the logic (an unknown one is ignored by the chart)
  bare.send({ type: 'dec' });
  const bareFacade: Equals<typeof bare.facade, Facade | undefined> = true;
  const asHosted: HostedActor<typeof counter> = bare;
  assert.is(bare.getSnapshot().context.n, 42);
  assert.is(bare.facade, undefined);
  assert.ok(bareFacade && asHosted === bare);
  await runtime.stop({ deadlineMs: 100 });
});

test.run();
