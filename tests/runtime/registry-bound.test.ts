import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromPromise, setup } from 'xstate';
import { createRuntime } from '../../runtime/index.js';

// What the runtime keeps of stopped actors: nothing in its registry (status, metrics, readiness and
// snapshot walk live actors only), and the final status of the last `keepStopped` in `stopped()`.
// issue 22: the registry never forgot a stopped actor, and status() walked all of them (135 ms at 100k).

const idle = setup({}).createMachine({ id: 'idle', initial: 'on', states: { on: { tags: ['ready'] } } });

test('waves of spawn and stop: the registry holds the live actors only, stopped() the last keepStopped', async () => {
  const runtime = createRuntime({ keepStopped: 10 });
  const live = runtime.spawn(idle, { id: 'live' });
  for (let wave = 0; wave < 20; wave++) {
    const actors = Array.from({ length: 100 }, (_, i) => runtime.spawn(idle, { id: `w${wave}-${i}` }));
    assert.is(runtime.list().length, 101);
    await Promise.all(actors.map((actor) => actor.stop({ deadlineMs: 1000 })));
    assert.is(runtime.list().length, 1, `after wave ${wave}`);
  }
  assert.equal(runtime.status().map((s) => s.id), ['live']);
  assert.equal(runtime.metrics().match(/^statewire_actor_info\{/gm)?.length, 1, 'metrics: one actor');
  assert.equal(Object.keys(runtime.snapshot()), ['live']);
  assert.is(runtime.isReady(), true);
  const kept = runtime.stopped();
  assert.equal(kept.map((s) => s.id), Array.from({ length: 10 }, (_, i) => `w19-${90 + i}`), 'the last 10, oldest first');
  assert.ok(kept.every((s) => s.status === 'stopped'));
  assert.is(live.status().status, 'running');
  await runtime.stop({ deadlineMs: 100 });
  assert.equal(runtime.stopped().at(-1)?.id, 'live');
  assert.is(runtime.stopped().length, 10);
});

test('keepStopped: 0 keeps nothing; actors that end by themselves (done) stay listed until stopped', async () => {
  const runtime = createRuntime({ keepStopped: 0 });
  const job = runtime.spawn(fromPromise(async () => 42), { id: 'job' });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.is(job.status().status, 'done');
  assert.equal(runtime.list().map((h) => h.id), ['job'], 'its output stays readable through the registry');
  assert.is(job.getSnapshot().output, 42);
  assert.is(await job.stop(), 'stopped');
  assert.equal(runtime.list(), []);
  assert.equal(runtime.stopped(), []);
  await runtime.stop();
});

test('a stopping runtime is not ready, even once every actor has left the registry', async () => {
  const runtime = createRuntime();
  runtime.spawn(idle, { id: 'a' });
  assert.is(runtime.isReady(), true);
  const stopping = runtime.stop({ deadlineMs: 100 });
  assert.is(runtime.isReady(), false, 'while stopping');
  await stopping;
  assert.equal(runtime.list(), []);
  assert.is(runtime.isReady(), false, 'after stop, with nothing listed');
});

test.run();
