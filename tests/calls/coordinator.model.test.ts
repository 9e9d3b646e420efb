import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock, type AnyMachineSnapshot } from 'xstate';
import { coordinatorMachine, type CoordinatorContext } from '../../machines/calls/coordinator.js';
import { registryMachine, type HealthResult } from '../../machines/calls/registry.js';
import { runModel } from '../helpers/model.js';

// The registry child's health check never settles here: the walk is about the coordinator chart.
const machine = coordinatorMachine.provide({
  actors: { registry: registryMachine.provide({ actors: { checkHealth: fromPromise<HealthResult[], { instances: Array<{ id: string; endpoint: string }> }>(() => new Promise(() => {})) } }) },
});

test('coordinator chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine,
    events: () => [
      { type: 'breaker.add', endpoint: 'http://127.0.0.1:1' },
      { type: 'breaker.remove', endpoint: 'http://127.0.0.1:1' },
      { type: 'coordinator.drain' },
      { type: 'coordinator.drained' },
    ],
    serializeState: (snapshot: AnyMachineSnapshot) => JSON.stringify([snapshot.value, (snapshot.context as CoordinatorContext).endpoints.length]),
    start: (inspect) => ({ actor: createActor(machine, { clock: new SimulatedClock(), inspect, input: {} }).start() }),
    check: (sut, expected) => {
      const actual = sut.actor.getSnapshot() as AnyMachineSnapshot;
      assert.equal(actual.value, expected.value);
      const endpoints = (actual.context as CoordinatorContext).endpoints;
      assert.equal(endpoints, (expected.context as CoordinatorContext).endpoints);
      // Every endpoint in context has its breaker child, and no other breaker child lives, while the actor runs.
      if (actual.status === 'active') {
        for (const endpoint of endpoints) assert.ok(actual.children[`breaker:${endpoint}`], endpoint);
        assert.equal(Object.keys(actual.children).filter((id) => id.startsWith('breaker:')).length, endpoints.length);
      }
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
