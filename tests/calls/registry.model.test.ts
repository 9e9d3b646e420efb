import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { registryMachine, type HealthResult, type RegistryContext } from '../../machines/calls/registry.js';
import { runModel } from '../helpers/model.js';

// The health check stays pending: the walk's xstate.done/error events decide, not the fake.
const machine = registryMachine.provide({ actors: { checkHealth: fromPromise<HealthResult[], { instances: Array<{ id: string; endpoint: string }> }>(() => new Promise(() => {})) } });
const input = { heartbeatTtlMs: 1000, healthCheckIntervalMs: 100 };
const a = { id: 'a', service: 'users', endpoint: 'http://127.0.0.1:1' };

const statusOfA = (snapshot: AnyMachineSnapshot) => (snapshot.context as RegistryContext).instances.a?.status ?? 'none';

test('registry chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine,
    input,
    events: (snapshot): AnyEventObject[] => [
      { type: 'instance.register', instance: a },
      { type: 'instance.register', instance: { ...a, endpoint: 'not a url' } },
      { type: 'instance.deregister', id: 'a' },
      { type: 'instance.deregister', id: 'zz' },
      { type: 'instance.heartbeat', id: 'a' },
      { type: 'instance.heartbeat', id: 'zz' },
      { type: 'instance.markHealthy', id: 'a' },
      { type: 'instance.markHealthy', id: 'zz' },
      { type: 'instance.markUnhealthy', id: 'a' },
      { type: 'instance.markUnhealthy', id: 'zz' },
      // Only while the check runs: an actor error event nobody handles would fail the whole chart.
      ...(snapshot.matches({ health: 'checking' })
        ? [
            { type: 'xstate.done.actor.checkHealth', output: [{ id: 'a', ok: false }] },
            { type: 'xstate.error.actor.checkHealth', error: new Error('check failed') },
          ]
        : []),
    ],
    serializeState: (snapshot) => JSON.stringify([snapshot.value, statusOfA(snapshot)]),
    start: (inspect) => ({ actor: createActor(machine, { clock: new SimulatedClock(), inspect, input }).start() }),
    check: (sut, expected) => {
      const actual = sut.actor.getSnapshot() as AnyMachineSnapshot;
      assert.equal(actual.value, expected.value);
      assert.is(statusOfA(actual), statusOfA(expected));
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
