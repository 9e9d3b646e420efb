import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, setup } from 'xstate';
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

test.run();
