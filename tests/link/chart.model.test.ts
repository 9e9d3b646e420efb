import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { linkMachine } from '../../machines/link/link.js';
import { runModel } from '../helpers/model.js';

/** The chart with fakes that never act on their own: the walked events alone decide. */
const modelMachine = linkMachine.provide({
  actors: {
    socket: fromCallback(() => () => {}),
    drain: fromPromise(() => new Promise<void>(() => {})),
  },
});

test('link chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: modelMachine,
    input: { serverAddress: 'ws://127.0.0.1:1', agentId: 'a', reconnectJitter: 'none' },
    serializeState: (snapshot) => JSON.stringify([snapshot.value, (snapshot.context as { missedPongs: number }).missedPongs]),
    events: (snapshot) => [
      ...(snapshot.matches('connection') ? [{ type: 'xstate.error.actor.socket', error: new Error('boom') }] : []),
      ...(snapshot.matches({ connection: 'closing' })
        ? [{ type: 'xstate.done.actor.drain' }, { type: 'xstate.error.actor.drain', error: new Error('drain failed') }]
        : []),
      { type: 'link.connect' },
      { type: 'link.close' },
      { type: 'socket.opened' },
      { type: 'socket.closed', code: 1006, reason: '' },
      { type: 'socket.error', message: 'ECONNREFUSED' },
      { type: 'frame.welcome' },
      { type: 'frame.reject', reason: 'bad key' },
      { type: 'frame.pong' },
      { type: 'frame.invalid', problem: 'not-json', message: 'x' },
      { type: 'report.dropped', reason: 'ttl', id: 'r1' },
      { type: 'queue.warning', size: 5000, threshold: 5000 },
    ],
    start: (inspect) => {
      const clock = new SimulatedClock();
      const input = { serverAddress: 'ws://127.0.0.1:1', agentId: 'a', reconnectJitter: 'none' as const };
      return { actor: createActor(modelMachine, { clock, inspect, input }).start() };
    },
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
