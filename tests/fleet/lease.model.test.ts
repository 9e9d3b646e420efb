import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock } from 'xstate';
import { leaseMachine } from '../../examples/charts/lease.js';
import { runModel } from '../helpers/model.js';

test('lease chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: leaseMachine,
    events: () => [{ type: 'lease.acquire' }, { type: 'lease.renew' }, { type: 'lease.release' }, { type: 'drain' }],
    start: (inspect) => {
      const clock = new SimulatedClock();
      return { actor: createActor(leaseMachine, { clock, inspect, input: { ttlMs: 1000 } }).start() };
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
  assert.is(coverage.transitions.total, 8);
});

test.run();
