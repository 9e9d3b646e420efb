import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock, type AnyMachineSnapshot } from 'xstate';
import { breakerMachine, type BreakerContext } from '../../machines/calls/breaker.js';
import { runModel } from '../helpers/model.js';
import { MODEL_INPUT, breakerEvents, breakerStateKey, observed } from './helpers/breaker-model.js';

test('breaker chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: breakerMachine,
    input: MODEL_INPUT,
    events: breakerEvents,
    serializeState: breakerStateKey,
    start: (inspect) => ({ actor: createActor(breakerMachine, { clock: new SimulatedClock(), inspect, input: MODEL_INPUT }).start() }),
    check: (sut, expected) => {
      const actual = sut.actor.getSnapshot() as AnyMachineSnapshot;
      assert.equal(actual.value, expected.value);
      assert.equal(observed(actual.context as BreakerContext), observed(expected.context as BreakerContext));
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
