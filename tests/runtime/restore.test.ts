import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromTransition, setup, SimulatedClock } from 'xstate';
import { leaseMachine } from '../../examples/charts/lease.js';
import { createRuntime } from '../../runtime/index.js';

type LeaseSnap = { value: unknown; context: { expiresAt: number | null; expirations: number } };

test('snapshot/restore: a restored lease re-arms its expiry for exactly the time that was left', async () => {
  const clock = new SimulatedClock();
  const first = createRuntime({ clock });
  const lease = first.spawn(leaseMachine, { id: 'lease', input: { ttlMs: 1000 } });
  lease.send({ type: 'lease.acquire' });
  clock.increment(400);
  const saved = first.snapshot();
  assert.equal(Object.keys(saved), ['lease']);
  await first.stop({ deadlineMs: 0 });

  // A new process: same clock reading, a new runtime, the snapshot handed back.
  const second = createRuntime({ clock });
  const restored = second.spawn(leaseMachine, { id: 'lease', snapshot: saved.lease as never });
  assert.is((restored.getSnapshot() as unknown as LeaseSnap).value, 'held');
  clock.increment(599);
  assert.is((restored.getSnapshot() as unknown as LeaseSnap).value, 'held', 'not before the deadline');
  clock.increment(1);
  const after = restored.getSnapshot() as unknown as LeaseSnap;
  assert.is(after.value, 'expired', 'expired at the absolute deadline (t=1000)');
  assert.is(after.context.expirations, 1);
  await second.stop({ deadlineMs: 0 });
});

test('snapshot/restore: a deadline already past when restored fires at once', async () => {
  const clock = new SimulatedClock();
  const first = createRuntime({ clock });
  first.spawn(leaseMachine, { id: 'lease', input: { ttlMs: 1000 } }).send({ type: 'lease.acquire' });
  const saved = first.snapshot();
  await first.stop({ deadlineMs: 0 });
  clock.increment(5000); // the process was down longer than the lease
  const second = createRuntime({ clock });
  const restored = second.spawn(leaseMachine, { id: 'lease', snapshot: saved.lease as never });
  clock.increment(0);
  assert.is((restored.getSnapshot() as unknown as LeaseSnap).value, 'expired');
  await second.stop({ deadlineMs: 0 });
});

test('snapshot/restore: leaving the state cancels the re-armed timer as XState would', async () => {
  const clock = new SimulatedClock();
  const first = createRuntime({ clock });
  first.spawn(leaseMachine, { id: 'lease', input: { ttlMs: 1000 } }).send({ type: 'lease.acquire' });
  const saved = first.snapshot();
  await first.stop({ deadlineMs: 0 });
  const second = createRuntime({ clock });
  const restored = second.spawn(leaseMachine, { id: 'lease', snapshot: saved.lease as never });
  restored.send({ type: 'lease.release' });
  clock.increment(2000);
  const snap = restored.getSnapshot() as unknown as LeaseSnap;
  assert.is(snap.value, 'idle');
  assert.is(snap.context.expirations, 0, 'the old timer did not fire into idle');
  await second.stop({ deadlineMs: 0 });
});

test('snapshot(): an errored actor is left out (restored it would only fail again), and one that cannot persist does not cost the others theirs', async () => {
  const runtime = createRuntime({ restart: 'never' });
  const crashing = setup({ actions: { boom: () => { throw new Error('boom'); } } }).createMachine({ id: 'crashing', on: { boom: { actions: 'boom' } } });
  runtime.spawn(crashing, { id: 'crashed' }).send({ type: 'boom' });
  const counter = fromTransition((n: number) => n + 1, 0);
  runtime.spawn({ ...counter, getPersistedSnapshot: () => { throw new Error('cannot persist'); } } as typeof counter, { id: 'unpersistable' });
  runtime.spawn(leaseMachine, { id: 'lease' });
  assert.is(runtime.get('crashed')?.status().status, 'failed');
  assert.equal(Object.keys(runtime.snapshot()), ['lease']);
  await runtime.stop({ deadlineMs: 0 });
});

test.run();
