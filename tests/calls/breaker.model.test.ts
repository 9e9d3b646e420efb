import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { breakerMachine, type BreakerContext } from '../../machines/calls/breaker.js';
import { runModel } from '../helpers/model.js';

const error = { code: 'SW_AGENT_NETWORK', message: 'refused' };

test('breaker chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: breakerMachine,
    input: { maxFailures: 2, timeoutMs: 1000, halfOpenMaxProbes: 2 },
    events: (snapshot: AnyMachineSnapshot): AnyEventObject[] => {
      const { epoch } = snapshot.context as BreakerContext;
      return [
        { type: 'call.succeeded' },
        { type: 'call.failed', error },
        { type: 'probe.started', epoch },
        { type: 'probe.succeeded', epoch },
        { type: 'probe.failed', epoch, error },
        { type: 'breaker.reset' },
        { type: 'breaker.isolate' },
      ];
    },
    // The counters that decide a guard (failures, probes) define the state; epoch and times do not.
    serializeState: (snapshot) => {
      const { failures, probes } = snapshot.context as BreakerContext;
      return JSON.stringify([snapshot.value, failures, probes]);
    },
    start: (inspect) => {
      const clock = new SimulatedClock();
      return { actor: createActor(breakerMachine, { clock, inspect, input: { maxFailures: 2, timeoutMs: 1000, halfOpenMaxProbes: 2 } }).start() };
    },
    check: (sut, expected) => {
      const actual = sut.actor.getSnapshot() as AnyMachineSnapshot;
      assert.equal(actual.value, expected.value);
      const a = actual.context as BreakerContext;
      const e = expected.context as BreakerContext;
      assert.equal([a.failures, a.probes], [e.failures, e.probes]);
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
