import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { sidecarMachine } from '../../machines/sidecar/sidecar.js';
import { runModel } from '../helpers/model.js';
import { createHarness } from './helpers/fakes.js';

const failure = { kind: 'watch_connection', code: 'SW_WATCH_CONNECTION', message: 'reset' };

/** The events worth trying in a snapshot: watch frames always, an invoked actor's outcome (a register's while registering) only while it runs. */
function eventsFor(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const events: AnyEventObject[] = [
    { type: 'watch.connected', data: { ready: true } },
    { type: 'watch.connected', data: { ready: false } },
    { type: 'watch.heartbeat', data: { ready: true } },
    { type: 'watch.disconnected', data: {} },
    { type: 'watch.invalid', error: { ...failure, kind: 'watch_parse' } },
    { type: 'watch.retry', retryMs: 50 },
    { type: 'watch.failed', error: failure },
    { type: 'agent.run' },
    { type: 'agent.shutdown' },
  ];
  const running = (id: string) => Object.keys(snapshot.children).includes(id);
  if (snapshot.matches({ watch: { open: { link: { connected: 'registering' } } } })) {
    events.push({ type: 'register.done' }, { type: 'register.failed', error: new Error('register failed') });
  }
  for (const id of ['serve', 'hostShutdown', 'drain', 'deregister']) {
    if (!running(id)) continue;
    events.push({ type: `xstate.done.actor.${id}` }, { type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) });
  }
  return events;
}

test('sidecar chart: every state and transition of both regions walked against a real actor', async () => {
  const coverage = await runModel({
    machine: sidecarMachine,
    input: { serviceName: 'orders', servicePort: 8080, seed: 1 },
    events: eventsFor,
    // What decides the next step: the state, whether a register succeeded and whether the agent says
    // ready (the lifecycle guard), whether a frame came since the staleness timer was armed (its
    // guard). Counters and times are left out so the graph stays finite.
    serializeState: (snapshot) =>
      JSON.stringify([snapshot.value, snapshot.context.registered, snapshot.context.sidecar.ready, snapshot.context.heard]),
    start: (inspect) => {
      const h = createHarness({}, inspect);
      h.actor.start();
      return { actor: h.actor };
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
  assert.ok(coverage.states.total >= 18);
});

test.run();
