import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, setup } from 'xstate';
import { runModel } from '../helpers/model.js';

// The helper must fail when the real actor does not take a transition the definition has.
const toggle = setup({ types: { events: {} as { type: 'flip' } | { type: 'never' } } }).createMachine({
  id: 'toggle',
  initial: 'off',
  states: {
    off: { on: { flip: 'on' } },
    on: { on: { flip: 'off', never: 'off' } },
  },
});

test('model helper: fails below 100 % transition coverage and names what was missed', async () => {
  let failure: unknown;
  try {
    await runModel({
      machine: toggle,
      events: () => [{ type: 'flip' }], // 'never' is never offered
      start: (inspect) => ({ actor: createActor(toggle, { inspect }).start() }),
      report: false,
    });
  } catch (error) {
    failure = error;
  }
  assert.instance(failure, Error);
  assert.match(String(failure), 'toggle.on on never#0');
});

test('model helper: counts only the actor start() returns, not another root the harness ran', async () => {
  let failure: unknown;
  try {
    await runModel({
      machine: toggle,
      events: () => [{ type: 'flip' }], // 'never' is never offered to the system under test
      start: (inspect) => {
        const decoy = createActor(toggle, { inspect }).start();
        decoy.send({ type: 'flip' });
        decoy.send({ type: 'never' });
        decoy.stop();
        return { actor: createActor(toggle, { inspect }).start() };
      },
      report: false,
    });
  } catch (error) {
    failure = error;
  }
  assert.match(String(failure), 'toggle.on on never#0');
});

test('model helper: fails when the real actor diverges from the walked path', async () => {
  const broken = toggle.provide({});
  let failure: unknown;
  try {
    await runModel({
      machine: toggle,
      events: () => [{ type: 'flip' }, { type: 'never' }],
      // The real actor ignores every event: it never leaves `off`.
      start: (inspect) => ({ actor: createActor(broken, { inspect }).start() }),
      execute: () => {},
      report: false,
    });
  } catch (error) {
    failure = error;
  }
  assert.match(String(failure), /model path \d+\/\d+ failed after \[flip\]/);
});

// A root transition taken from every state; its action throws the second time it runs, so one path
// covers it and another ends on it with a dead actor whose state value still looks right.
function onceOnly() {
  let calls = 0;
  return setup({
    types: { events: {} as { type: 'go' } | { type: 'poke' }, context: {} as { pokes: number } },
    actions: {
      touch: () => {
        if (++calls === 2) throw new Error('touched twice');
      },
    },
  }).createMachine({
    id: 'once',
    context: { pokes: 0 },
    // (the assign makes the walk see a new snapshot: an actions-only transition is not extended)
    on: { poke: { actions: [assign({ pokes: ({ context }) => context.pokes + 1 }), 'touch'] } },
    initial: 'a',
    states: { a: { on: { go: 'b' } }, b: {} },
  });
}

test('model helper: fails when the real actor errors on a step that leaves its state value unchanged', async () => {
  const machine = onceOnly();
  let failure: unknown;
  try {
    await runModel({
      machine,
      events: () => [{ type: 'go' }, { type: 'poke' }],
      start: (inspect) => {
        const actor = createActor(machine, { inspect });
        actor.subscribe({ error: () => {} }); // as a facade does: XState reports nothing
        return { actor: actor.start() };
      },
      report: false,
    });
  } catch (error) {
    failure = error;
  }
  assert.match(String(failure), /failed after \[go → poke\]: the real actor errored \(touched twice\)/);
});

test.run();
