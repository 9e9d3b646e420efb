import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, SimulatedClock, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { deliveryLoopMachine, type ScanResult } from '../../machines/delivery/loop.js';
import { runModel } from '../helpers/model.js';
import { flush } from './helpers/chart-harness.js';

const pending = <T>() => fromPromise<T, void>(() => new Promise<T>(() => {}));

function pendingLoop() {
  return deliveryLoopMachine.provide({ actors: { scan: pending<ScanResult>(), clean: pending<number>(), drain: pending<void>() } });
}

function events(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const list: AnyEventObject[] = [{ type: 'loop.start' }, { type: 'loop.wake' }, { type: 'loop.close' }];
  if (snapshot.matches({ running: { scan: 'scanning' } } as never)) {
    list.push({ type: 'xstate.done.actor.scan', output: { picked: 1, more: false } }, { type: 'xstate.error.actor.scan', error: new Error('store down') });
  }
  if (snapshot.matches({ running: { clean: 'cleaning' } } as never)) {
    list.push({ type: 'xstate.done.actor.clean', output: 2 }, { type: 'xstate.error.actor.clean', error: new Error('store down') });
  }
  if (snapshot.matches('closing' as never)) {
    list.push({ type: 'xstate.done.actor.drain' }, { type: 'xstate.error.actor.drain', error: new Error('drain') });
  }
  return list;
}

test('delivery loop chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: deliveryLoopMachine,
    events,
    start: (inspect) => ({ actor: createActor(pendingLoop(), { clock: new SimulatedClock(), inspect, input: { loopIntervalMs: 100 } }).start() }),
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test('the loop scans at once, then every loopIntervalMs; cleans every autoCleanIntervalMs; ready while running', async () => {
  const clock = new SimulatedClock();
  let scans = 0;
  let cleans = 0;
  const logic = deliveryLoopMachine.provide({
    actors: {
      scan: fromPromise(async (): Promise<ScanResult> => ({ picked: ++scans, more: false })),
      clean: fromPromise(async () => (++cleans, 1)),
      drain: fromPromise(async () => {}),
    },
  });
  const actor = createActor(logic, { clock, input: { loopIntervalMs: 100, autoCleanIntervalMs: 1000 } }).start();
  assert.not.ok(actor.getSnapshot().hasTag('ready'));
  actor.send({ type: 'loop.start' });
  await flush();
  assert.ok(actor.getSnapshot().hasTag('ready'));
  assert.is(scans, 1);
  clock.increment(99);
  await flush();
  assert.is(scans, 1);
  clock.increment(1);
  await flush();
  assert.is(scans, 2);
  for (let i = 0; i < 9; i++) {
    clock.increment(100);
    await flush();
  }
  assert.is(scans, 11);
  assert.is(cleans, 1);
  assert.is(actor.getSnapshot().context.cleaned, 1);
  actor.send({ type: 'loop.close' });
  await flush();
  assert.is(actor.getSnapshot().status, 'done');
  assert.not.ok(actor.getSnapshot().hasTag('ready'));
});

test('a failing scan is counted and retried on the next tick, never crashing the loop', async () => {
  const clock = new SimulatedClock();
  let calls = 0;
  const logic = deliveryLoopMachine.provide({
    actors: {
      scan: fromPromise(async (): Promise<ScanResult> => {
        if (++calls === 1) throw new Error('store down');
        return { picked: 0, more: false };
      }),
      clean: fromPromise(async () => 0),
      drain: fromPromise(async () => {}),
    },
  });
  const actor = createActor(logic, { clock, input: { loopIntervalMs: 100 } }).start();
  actor.send({ type: 'loop.start' });
  await flush();
  assert.is(actor.getSnapshot().context.errors, 1);
  assert.is(actor.getSnapshot().context.lastError, 'store down');
  clock.increment(100);
  await flush();
  assert.is(calls, 2);
  assert.is(actor.getSnapshot().status, 'active');
  actor.stop();
});

test.run();
