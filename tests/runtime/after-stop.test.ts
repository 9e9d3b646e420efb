import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, setup } from 'xstate';
import type { Facade } from '../../actors/host.js';
import { isStatewireError } from '../../errors/base.js';
import { createRuntime, type HostedActor, type Runtime } from '../../runtime/index.js';

// Every method of the runtime and of a hosted actor once it is stopped, each with its documented
// answer (docs/runtime.md, "After stop"). issue 18: `hosted.send()` after `runtime.stop()` was
// dropped without a word.

const counter = setup({ types: { events: {} as { type: 'inc' } } }).createMachine({
  id: 'counter',
  initial: 'on',
  states: { on: { tags: ['ready'], on: { inc: {} } } },
});

function facade(): Facade & { hello(): string } {
  const actor = createActor(counter);
  return { actor, start: () => void actor.start(), stop: async () => void actor.stop(), status: () => ({ ok: true }), hello: () => 'hi' };
}

/** The code of what `call` throws or rejects with, or 'ok' and its value. */
async function outcome(call: () => unknown): Promise<{ code: string } | { ok: unknown }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { code: isStatewireError(error) ? error.code : `not a statewire error: ${String(error)}` };
  }
}

async function hostedTable(hosted: HostedActor, stopOutcome: string): Promise<void> {
  const ref = hosted.ref;
  assert.equal(await outcome(() => hosted.send({ type: 'inc' })), { code: 'SW_RUNTIME_ACTOR_STOPPED' }, 'send');
  assert.equal(await outcome(() => hosted.subscribe(() => {})), { code: 'SW_RUNTIME_ACTOR_STOPPED' }, 'subscribe');
  assert.equal(await outcome(() => hosted.stop()), { ok: stopOutcome }, 'stop again: the first outcome');
  assert.equal(await outcome(() => hosted.getSnapshot().status), { ok: 'stopped' }, 'getSnapshot: the final snapshot');
  assert.equal(await outcome(() => hosted.status().status), { ok: 'stopped' }, 'status(): the final status');
  assert.is(hosted.ref, ref, 'ref: the last incarnation');
}

async function runtimeTable(runtime: Runtime, report: unknown): Promise<void> {
  assert.equal(await outcome(() => runtime.spawn(counter, { id: 'late' })), { code: 'SW_RUNTIME_STOPPED' }, 'spawn');
  assert.equal(await outcome(() => runtime.serveStatus()), { code: 'SW_RUNTIME_STOPPED' }, 'serveStatus');
  assert.equal(await outcome(() => runtime.stop()), { ok: report }, 'stop again: the first report');
  assert.equal(await outcome(() => runtime.get('m')), { ok: undefined }, 'get: stopped actors are forgotten');
  assert.equal(await outcome(() => runtime.list()), { ok: [] }, 'list');
  assert.equal(await outcome(() => runtime.status()), { ok: [] }, 'status');
  assert.equal(await outcome(() => runtime.snapshot()), { ok: {} }, 'snapshot');
  assert.equal(await outcome(() => runtime.isReady()), { ok: false }, 'isReady: a stopped runtime is never ready');
  assert.not.match(runtime.metrics(), /actor="/, 'metrics: no actor series');
  assert.equal(runtime.stopped().map((s) => [s.id, s.status]), [['f', 'stopped'], ['m', 'stopped']], 'stopped(): the final statuses');
  const off = runtime.on('actor.stopped', () => {});
  assert.type(off, 'function', 'on: still registers (nothing more is emitted)');
}

test('after runtime.stop(): every runtime and hosted method answers as documented', async () => {
  const runtime = createRuntime();
  const machine = runtime.spawn(counter, { id: 'm' });
  const hostedFacade = runtime.spawn(() => facade(), { id: 'f' });
  machine.send({ type: 'inc' });
  await new Promise((resolve) => setTimeout(resolve, 5)); // a facade starts on a later microtask
  const report = await runtime.stop({ deadlineMs: 100 });
  assert.equal(report, { drained: [], cut: [], stopped: ['f', 'm'] });
  await hostedTable(machine, 'stopped');
  await hostedTable(hostedFacade, 'stopped');
  assert.is(hostedFacade.facade.hello(), 'hi', 'facade: the last one, still readable');
  await runtimeTable(runtime, report);
});

test('after hosted.stop(): the actor answers as documented, the runtime forgets it and frees its id', async () => {
  const runtime = createRuntime();
  const stoppedEvents: Array<{ id: string; outcome: string; status: string }> = [];
  runtime.on('actor.stopped', ({ id, outcome, status }) => stoppedEvents.push({ id, outcome, status: status.status }));
  const first = runtime.spawn(counter, { id: 'm' });
  runtime.spawn(counter, { id: 'other' });
  assert.is(await first.stop({ deadlineMs: 100 }), 'stopped');
  await hostedTable(first, 'stopped');
  assert.equal(stoppedEvents, [{ id: 'm', outcome: 'stopped', status: 'stopped' }]);
  assert.equal(runtime.list().map((h) => h.id), ['other']);
  assert.is(runtime.get('m'), undefined);
  assert.is(runtime.isReady(), true, 'the runtime itself still runs');
  const again = runtime.spawn(counter, { id: 'm' });
  again.send({ type: 'inc' });
  assert.is(again.status().status, 'running', 'the id is free again');
  await runtime.stop();
});

test('hosted.stop() of a failed actor frees its id too (failed actors stay listed until stopped)', async () => {
  const runtime = createRuntime({ restart: 'never' });
  const doomed = setup({}).createMachine({ id: 'doomed', context: () => { throw new Error('cannot start'); } });
  const failed = runtime.spawn(doomed, { id: 'd' });
  assert.is(failed.status().status, 'failed');
  assert.equal(runtime.list().map((h) => h.id), ['d'], 'a failed actor is still listed: /readyz must keep saying so');
  assert.is(await failed.stop(), 'stopped');
  assert.equal(runtime.list(), []);
  assert.equal(runtime.stopped().map((s) => [s.id, s.status, s.lastError?.message]), [['d', 'failed', 'cannot start']]);
  await runtime.stop();
});

test.run();
