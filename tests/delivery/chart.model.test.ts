import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { deliveryMachine, type DeliveryContext } from '../../machines/delivery/delivery.js';
import { runModel } from '../helpers/model.js';
import { harness, sampleTask } from './helpers/chart-harness.js';

/**
 * Every state and transition of the delivery chart, walked against a real actor whose invoked
 * actors stay pending: the path's `xstate.done/error.actor.*` events decide every outcome.
 * A two-rung ladder whose second rung is beyond `holdMs` reaches both `waiting` and `parked`.
 */
const input = { task: sampleTask({ kind: 'ladder', ladderMs: [100, 100_000] }), holdMs: 1000 };
const response = (statusCode: number, retryAfterMs: number | null = null) => ({ statusCode, body: '', retryAfterMs });

function events(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const commands: AnyEventObject[] = [{ type: 'task.stop' }, { type: 'task.retry' }];
  const at = (state: string) => snapshot.matches(state as never);
  if (at('building')) {
    return [...commands, { type: 'xstate.done.actor.build', output: { url: 'http://x/', method: 'POST', headers: {}, body: '' } }, { type: 'xstate.error.actor.build', error: new Error('sign') }];
  }
  if (at('sending')) return [...commands, { type: 'xstate.done.actor.send', output: response(500) }, { type: 'xstate.error.actor.send', error: new Error('refused') }];
  if (at('validating')) {
    return [
      ...commands,
      { type: 'xstate.done.actor.validate', output: { ok: true } },
      { type: 'xstate.done.actor.validate', output: { ok: false, reason: 'status 500' } },
      { type: 'xstate.error.actor.validate', error: new Error('callback') },
    ];
  }
  const saving = ['success', 'failure', 'stopping'].some((s) => at(`${s}.saving`));
  if (saving) return [...commands, { type: 'xstate.done.actor.record' }, { type: 'xstate.error.actor.record', error: new Error('store down') }];
  return commands;
}

test('delivery chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: deliveryMachine,
    input,
    events,
    serializeState: (s) => {
      const c = s.context as DeliveryContext;
      return JSON.stringify([s.value, c.command, c.task.status, c.task.retryCount, c.park, c.response?.statusCode ?? null]);
    },
    start: (inspect) => {
      const h = harness(input, { autoBuild: false, autoRecord: false, inspect });
      return { actor: h.actor.start() };
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
