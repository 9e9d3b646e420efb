import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromCallback, fromPromise, SimulatedClock, type AnyEventObject } from 'xstate';
import { runnerMachine, type HeartbeatOutput, type PullOutput, type ReconcileOutput } from '../../machines/worker/runner.js';
import { runModel } from '../helpers/model.js';

/** The runner chart, every state and transition, walked against a real actor with pending fakes. */
const pending = () => new Promise<never>(() => {});
const fakes = runnerMachine.provide({
  actors: {
    register: fromPromise<void, { aliveTtlMs: number }>(pending),
    pull: fromPromise<PullOutput, { limit: number }>(pending),
    reconcile: fromPromise<ReconcileOutput>(pending),
    watchBackend: fromCallback(() => {}),
    watchWork: fromCallback(() => {}),
    heartbeat: fromPromise<HeartbeatOutput, { aliveTtlMs: number }>(pending),
    finishInFlight: fromPromise<void>(pending),
    release: fromPromise<void>(pending),
  },
});

const done = (id: string, output?: unknown): AnyEventObject => ({ type: `xstate.done.actor.${id}`, output });
const failed = (id: string): AnyEventObject => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) });

test('runner chart: every state and transition walked against a real actor', async () => {
  const coverage = await runModel({
    machine: fakes,
    input: { threads: 10 },
    // A reconcile owed is part of the state: the same value with and without one behaves apart.
    serializeState: (snapshot) => JSON.stringify([snapshot.value, snapshot.context.reconcileDue]),
    // Done/error events only for children really invoked in that state: an unhandled actor error
    // would (correctly) crash the actor, which is not a path of the chart.
    events: (snapshot) => [
      done('register'),
      failed('register'),
      done('pull', { pulled: 30, held: 30, nextDueAt: null }),
      done('pull', { pulled: 5, held: 5, nextDueAt: null }),
      done('pull', { pulled: 0, held: 0, nextDueAt: 123 }),
      failed('pull'),
      done('reconcile', { released: 2, held: 30 }),
      done('reconcile', { released: 0, held: 0 }),
      failed('reconcile'),
      { type: 'backend.reconnected' },
      { type: 'capacity.available' },
      { type: 'work.available' },
      done('heartbeat', { recoveredRunners: ['x'], recoveredJobs: 2 }),
      done('heartbeat', { recoveredRunners: [], recoveredJobs: 0 }),
      failed('heartbeat'),
      done('finishInFlight'),
      failed('finishInFlight'),
      done('release'),
      failed('release'),
      { type: 'runner.stop', deadlineMs: 100 },
      { type: 'runner.stop', deadlineMs: 0 },
    ].filter((event) => {
      const invoked = /^xstate\.(done|error)\.actor\.(\w+)$/.exec(event.type)?.[2];
      return invoked === undefined || invoked in snapshot.children;
    }),
    start: (inspect) => ({ actor: createActor(fakes, { clock: new SimulatedClock(), inspect, input: { threads: 10 } }).start() }),
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test('runner chart: a pull that fills the runner waits for capacity; an empty one sleeps until the next due job', async () => {
  const clock = new SimulatedClock();
  clock.set(1000);
  const actor = createActor(fakes, { clock, input: { threads: 2, idlePollMs: 5000 } }).start();
  const send = (event: AnyEventObject) => actor.send(event as never);
  send(done('register'));
  assert.equal(actor.getSnapshot().value, { running: { work: 'pulling', liveness: 'alive' } });
  assert.ok(actor.getSnapshot().hasTag('ready'));
  send(done('pull', { pulled: 6, held: 6, nextDueAt: null }));
  assert.equal(actor.getSnapshot().value, { running: { work: 'saturated', liveness: 'alive' } });
  actor.send({ type: 'capacity.available' });
  send(done('pull', { pulled: 0, held: 0, nextDueAt: 1300 }));
  assert.equal(actor.getSnapshot().value, { running: { work: 'idle', liveness: 'alive' } });
  assert.is(actor.getSnapshot().context.wakeAt, 1300, 'the next due job, not the poll interval');
  clock.increment(299);
  assert.equal(actor.getSnapshot().value, { running: { work: 'idle', liveness: 'alive' } });
  clock.increment(1);
  assert.equal(actor.getSnapshot().value, { running: { work: 'pulling', liveness: 'alive' } });
  send(failed('pull'));
  assert.equal(actor.getSnapshot().value, { running: { work: 'backoff', liveness: 'alive' } });
  assert.not.ok(actor.getSnapshot().hasTag('ready'), 'not ready while the backend fails');
  assert.is(actor.getSnapshot().context.failures, 1);
  assert.ok(actor.getSnapshot().context.reconcileDue, 'a failed pull may have run: a reconcile is owed');
  clock.increment(100);
  assert.equal(actor.getSnapshot().value, { running: { work: 'reconciling', liveness: 'alive' } }, 'the retry reconciles first');
  send(done('reconcile', { released: 0, held: 0 }));
  assert.equal(actor.getSnapshot().value, { running: { work: 'pulling', liveness: 'alive' } });
  clock.increment(10_000);
  assert.equal(actor.getSnapshot().value, { running: { work: 'pulling', liveness: 'beating' } }, 'heartbeat every aliveTtl/3');
  actor.send({ type: 'runner.stop', deadlineMs: 15_000 });
  assert.ok(actor.getSnapshot().matches({ draining: 'finishing' }));
  clock.increment(10_000);
  assert.ok(actor.getSnapshot().matches({ draining: { finishing: { liveness: 'beating' } } }), 'a drain keeps heartbeating');
  send(done('heartbeat', { recoveredRunners: [], recoveredJobs: 0 }));
  assert.ok(actor.getSnapshot().matches({ draining: { finishing: { liveness: 'alive' } } }));
  clock.increment(5000);
  assert.ok(actor.getSnapshot().matches({ draining: 'releasing' }), 'the drain deadline passed');
  send(done('release'));
  assert.is(actor.getSnapshot().status, 'done');
  actor.stop();
});

test('runner chart: a reconnect owes a reconcile, run between pulls and never beside one', async () => {
  const clock = new SimulatedClock();
  const actor = createActor(fakes, { clock, input: { threads: 2 } }).start();
  const send = (event: AnyEventObject) => actor.send(event as never);
  const work = () => (actor.getSnapshot().value as { running: { work: string } }).running.work;
  send(done('register'));
  assert.is(work(), 'pulling');
  actor.send({ type: 'backend.reconnected' });
  assert.is(work(), 'pulling', 'a pull in flight is not interrupted');
  send(done('pull', { pulled: 6, held: 6, nextDueAt: null }));
  assert.is(work(), 'reconciling', 'the pull answered: now its jobs are held, reconcile');
  actor.send({ type: 'backend.reconnected' });
  send(done('reconcile', { released: 3, held: 6 }));
  assert.is(work(), 'reconciling', 'the reconnect during the reconcile owed another, taken at once');
  send(done('reconcile', { released: 0, held: 6 }));
  assert.is(work(), 'saturated', 'a saturated runner stays saturated after the reconcile');
  assert.not.ok(actor.getSnapshot().context.reconcileDue);
  actor.stop();
});

test('runner chart: an idle runner reconciles at once on a reconnect and after each heartbeat', async () => {
  const clock = new SimulatedClock();
  const actor = createActor(fakes, { clock, input: { threads: 2, aliveTtlMs: 3000, idlePollMs: 60_000 } }).start();
  const send = (event: AnyEventObject) => actor.send(event as never);
  const work = () => (actor.getSnapshot().value as { running: { work: string } }).running.work;
  send(done('register'));
  send(done('pull', { pulled: 0, held: 0, nextDueAt: null }));
  assert.is(work(), 'idle');
  actor.send({ type: 'backend.reconnected' });
  assert.is(work(), 'reconciling');
  send(done('reconcile', { released: 0, held: 0 }));
  send(done('pull', { pulled: 0, held: 0, nextDueAt: null }));
  assert.is(work(), 'idle');
  clock.increment(1000); // heartbeat every aliveTtl/3
  send(done('heartbeat', { recoveredRunners: [], recoveredJobs: 0 }));
  assert.is(work(), 'reconciling', 'the slow period: every heartbeat owes a reconcile');
  actor.stop();
});

test.run();
