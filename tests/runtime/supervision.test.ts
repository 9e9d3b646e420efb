import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, setup } from 'xstate';
import { createRuntime } from '../../runtime/index.js';
import { DuplicateActorIdError, RuntimeStoppedError } from '../../errors/runtime.js';
import { ConfigError, isStatewireError } from '../../errors/base.js';
import { eventually } from '../helpers/ports.js';

/** Starts fine, throws (with a code) whenever it is told to: the failing actor supervision is about. */
const fragile = setup({
  types: { events: {} as { type: 'explode' } | { type: 'work' }, context: {} as { worked: number } },
  actions: {
    explode: () => {
      throw Object.assign(new Error('boom'), { code: 'E_BOOM' });
    },
  },
}).createMachine({
  id: 'fragile',
  context: { worked: 0 },
  initial: 'up',
  states: { up: { tags: ['ready'], on: { explode: { actions: 'explode' }, work: { actions: assign({ worked: ({ context }) => context.worked + 1 }) } } } },
});

/** Throws in its context initializer: every incarnation dies at birth (a crash loop). */
const doomed = setup({}).createMachine({
  id: 'doomed',
  context: () => {
    throw new Error('cannot start');
  },
});

test('an actor that throws is restarted with exponential backoff, and its handle follows the new incarnation', async () => {
  const runtime = createRuntime();
  const restarted: Array<{ restarts: number; afterMs: number }> = [];
  runtime.on('actor.restarted', (event) => restarted.push(event));
  const actor = runtime.spawn(fragile, { id: 'f', restart: { maxRestarts: 3, withinMs: 60_000, backoffMs: 10, maxBackoffMs: 1000 } });
  const first = actor.ref;
  actor.send({ type: 'work' });
  actor.send({ type: 'explode' });
  await eventually(() => actor.status().status === 'running' && actor.ref !== first, 'restart');
  assert.is(actor.status().restarts, 1);
  assert.is(actor.status().errors, 1);
  assert.equal(actor.status().lastError?.code, 'E_BOOM');
  assert.equal((actor.getSnapshot() as { context: { worked: number } }).context.worked, 0, 'fresh incarnation');
  actor.send({ type: 'explode' });
  await eventually(() => actor.status().restarts === 2 && actor.status().status === 'running', 'second restart');
  assert.equal(restarted.map((r) => r.afterMs), [10, 20]);
  await runtime.stop({ deadlineMs: 100 });
});

test('past maxRestarts within the window the actor stays failed and actor.failed is emitted', async () => {
  const runtime = createRuntime();
  const failed: Array<{ id: string; restarts: number; message: string }> = [];
  runtime.on('actor.failed', (event) => failed.push(event));
  const actor = runtime.spawn(doomed, { id: 'd', restart: { maxRestarts: 2, withinMs: 60_000, backoffMs: 5, maxBackoffMs: 5 } });
  await eventually(() => failed.length === 1, 'actor.failed');
  const status = actor.status();
  assert.is(status.status, 'failed');
  assert.is(status.restarts, 2);
  assert.is(status.errors, 3);
  assert.is(failed[0]?.restarts, 2);
  assert.match(failed[0]?.message ?? '', 'cannot start');
  assert.is(runtime.isReady(), false);
  const metrics = runtime.metrics();
  assert.match(metrics, 'statewire_actor_restarts_total{actor="d"} 2');
  assert.match(metrics, 'statewire_actor_errors_total{actor="d"} 3');
  assert.match(metrics, /statewire_actor_info\{actor="d",machine="doomed",status="failed"\} 1/);
  await runtime.stop({ deadlineMs: 50 });
});

test("restart 'never' fails at the first error", async () => {
  const runtime = createRuntime();
  const actor = runtime.spawn(fragile, { id: 'n', restart: 'never' });
  actor.send({ type: 'explode' });
  await eventually(() => actor.status().status === 'failed', 'failed');
  assert.is(actor.status().restarts, 0);
  await runtime.stop();
});

test('ids are unique; bad options and spawning after stop are typed errors', async () => {
  const runtime = createRuntime();
  runtime.spawn(fragile, { id: 'one' });
  assert.throws(() => runtime.spawn(fragile, { id: 'one' }), (e: unknown) => e instanceof DuplicateActorIdError && (e as DuplicateActorIdError).code === 'SW_DUPLICATE_ACTOR_ID');
  assert.throws(() => runtime.spawn(fragile, { id: '' }), (e: unknown) => e instanceof ConfigError);
  assert.throws(
    () => runtime.spawn(fragile, { id: 'two', restart: { maxRestarts: 1, withinMs: 1, backoffMs: 10, maxBackoffMs: 1 } }),
    (e: unknown) => isStatewireError(e) && e.code === 'SW_CONFIG',
  );
  assert.throws(
    () => runtime.spawn(fragile, { id: 'two', restart: { maxRestarts: 1, withinMs: 1, backoffMs: 10, maxBackoffMs: 1e12 } }),
    (e: unknown) => isStatewireError(e) && e.code === 'SW_CONFIG' && /maxBackoffMs/.test(e.message),
    'a backoff Node cannot time (it would fire after 1 ms)',
  );
  await runtime.stop();
  assert.throws(() => runtime.spawn(fragile, { id: 'three' }), (e: unknown) => e instanceof RuntimeStoppedError);
});

test('status() lists id, machine, state, restarts, last error and start time; list() keeps spawn order', async () => {
  const runtime = createRuntime();
  runtime.spawn(fragile, { id: 'a' });
  runtime.spawn(fragile, { id: 'b' });
  assert.equal(runtime.list().map((h) => h.id), ['a', 'b']);
  const [a] = runtime.status();
  assert.is(a?.id, 'a');
  assert.is(a?.machineId, 'fragile');
  assert.is(a?.state, 'up');
  assert.is(a?.ready, true);
  assert.is(a?.lastError, null);
  assert.ok(Date.parse(a?.startedAt ?? '') > 0);
  assert.is(runtime.isReady(), true);
  await runtime.stop();
});

test.run();
