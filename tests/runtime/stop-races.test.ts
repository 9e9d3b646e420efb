import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, setup, SimulatedClock } from 'xstate';
import type { Facade } from '../../actors/host.js';
import { FacadeUnavailableError, RuntimeStoppedError } from '../../errors/runtime.js';
import { createRuntime, type ActorStatus, type Runtime } from '../../runtime/index.js';
import { eventually, sleep } from '../helpers/ports.js';

// Supervision meets shutdown: what an actor does while the runtime stops it must never bring it back,
// hold stop() forever, abort the stop of the others, or escape as an uncaught exception.

const fast = { maxRestarts: 5, withinMs: 60_000, backoffMs: 5, maxBackoffMs: 5 };

/** Serves until told to drain; its drain step throws (an action error while the runtime stops). */
const crashesOnDrain = setup({
  actions: {
    boom: () => {
      throw Object.assign(new Error('drain blew up'), { code: 'E_DRAIN' });
    },
  },
}).createMachine({
  id: 'crashesOnDrain',
  initial: 'serving',
  states: { serving: { on: { drain: { target: 'draining', actions: 'boom' } } }, draining: {} },
});

const idle = setup({}).createMachine({ id: 'idle', initial: 'on', states: { on: { on: { fail: { actions: () => { throw new Error('failed'); } } } } } });

function facade(overrides: Partial<Facade> & { log?: string[] } = {}): Facade {
  const actor = createActor(idle);
  const log = overrides.log ?? [];
  return {
    actor,
    start: () => void (log.push('start'), actor.start()),
    stop: async () => void (log.push('stop'), actor.stop()),
    status: () => ({ ok: true }),
    ...overrides,
  };
}

/** The final status a stopped actor left behind (a stopped actor leaves the registry: `get` no longer finds it). */
function stoppedStatus(runtime: Runtime, id: string): ActorStatus | undefined {
  return runtime.stopped().find((status) => status.id === id);
}

/** Collects uncaught exceptions for a while (XState reports an unobserved actor error that way). */
async function uncaughtDuring(run: () => Promise<void>, settleMs = 50): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUncaught = (error: unknown) => seen.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    await run();
    await sleep(settleMs);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  return seen;
}

test('an actor that errors during its drain is recorded, reported cut, and never restarted after stop', async () => {
  const runtime = createRuntime({ restart: fast });
  const restarted: unknown[] = [];
  runtime.on('actor.restarted', (e) => restarted.push(e));
  const actor = runtime.spawn(crashesOnDrain, { id: 'c' });
  const report = await runtime.stop({ deadlineMs: 2000 });
  await sleep(50); // well past the 5 ms backoff
  assert.equal(report, { drained: [], cut: ['c'], stopped: [] });
  assert.equal(restarted, [], 'no restart after stop');
  const status = actor.status();
  assert.is(status.status, 'stopped');
  assert.is(status.errors, 1);
  assert.is(status.lastError?.code, 'E_DRAIN');
});

test('a facade whose drain throws synchronously does not abort the stop of the others', async () => {
  const log: string[] = [];
  const runtime = createRuntime();
  runtime.spawn(() => facade({ log }), { id: 'first' });
  runtime.spawn(
    () =>
      facade({
        drain: () => {
          throw new Error('no drain today');
        },
      }),
    { id: 'thrower' },
  );
  const report = await runtime.stop({ deadlineMs: 500 });
  assert.equal(report, { drained: [], cut: ['thrower'], stopped: ['first'] });
  assert.ok(log.includes('stop'), 'the first actor was still stopped');
  assert.is(stoppedStatus(runtime, 'thrower')?.lastError?.message, 'no drain today');
});

test('a drain guard that throws is a failed drain of that actor, not a failed stop', async () => {
  const guarded = setup({
    guards: {
      broken: () => {
        throw new Error('guard broke');
      },
    },
  }).createMachine({ id: 'guarded', initial: 'on', states: { on: { on: { drain: { guard: 'broken', target: 'on' } } } } });
  const runtime = createRuntime();
  runtime.spawn(idle, { id: 'first' });
  runtime.spawn(guarded, { id: 'guarded' });
  const report = await runtime.stop({ deadlineMs: 200 });
  assert.equal(report, { drained: [], cut: ['guarded'], stopped: ['first'] });
  assert.match(stoppedStatus(runtime, 'guarded')?.lastError?.message ?? '', 'guard broke');
});

test('a facade whose drain rejects is reported cut, not drained', async () => {
  const runtime = createRuntime();
  runtime.spawn(() => facade({ drain: () => Promise.reject(new Error('drain failed')) }), { id: 'r' });
  const report = await runtime.stop({ deadlineMs: 500 });
  assert.equal(report.cut, ['r']);
  assert.is(stoppedStatus(runtime, 'r')?.errors, 1);
});

test('stop() while a restart is pending: the actor ends stopped and the timer never fires', async () => {
  const runtime = createRuntime({ restart: { maxRestarts: 5, withinMs: 60_000, backoffMs: 80, maxBackoffMs: 80 } });
  const actor = runtime.spawn(idle, { id: 'i' });
  actor.send({ type: 'fail' } as never);
  assert.is(actor.status().status, 'restarting');
  const report = await runtime.stop({ deadlineMs: 100 });
  await sleep(150);
  assert.equal(report.stopped, ['i']);
  assert.is(actor.status().status, 'stopped');
  assert.is(actor.status().restarts, 0);
});

test('a facade factory that throws on restart leaves no stale facade behind (status, drain, stop)', async () => {
  const log: string[] = [];
  let calls = 0;
  const runtime = createRuntime({ restart: { maxRestarts: 1, withinMs: 60_000, backoffMs: 5, maxBackoffMs: 5 } });
  const hosted = runtime.spawn(
    () => {
      if (++calls > 1) throw new Error('factory broke');
      return facade({ log, start: () => Promise.reject(new Error('start failed')), drain: async () => void log.push('drain') });
    },
    { id: 'f' },
  );
  await eventually(() => hosted.status().status === 'failed', 'given up on');
  assert.throws(() => hosted.facade, (e: unknown) => e instanceof FacadeUnavailableError && e.code === 'SW_RUNTIME_NO_FACADE' && String((e.cause as Error).message) === 'factory broke', 'no facade for the broken incarnation');
  assert.is(hosted.status().details, undefined, 'status does not show the dead incarnation');
  assert.is(hosted.status().lastError?.message, 'factory broke');
  await runtime.stop({ deadlineMs: 100 });
  assert.equal(log, ['stop'], 'the first facade was stopped once and never drained after it was released');
});

test('a factory that returns something that is not a facade fails the incarnation instead of throwing from spawn', async () => {
  const runtime = createRuntime({ restart: 'never' });
  const hosted = runtime.spawn((() => ({ start() {} })) as never, { id: 'bad' });
  assert.is(hosted.status().status, 'failed');
  assert.is(hosted.status().lastError?.code, 'SW_CONFIG');
  const report = await runtime.stop({ deadlineMs: 100 });
  assert.equal(report.stopped, ['bad']);
});

test('a facade stopped before its start ran is never started', async () => {
  const log: string[] = [];
  const runtime = createRuntime();
  runtime.spawn(() => facade({ log }), { id: 'late' });
  await runtime.stop({ deadlineMs: 100 });
  await sleep(10);
  assert.equal(log, ['stop']);
});

test('a facade whose stop() never resolves is left behind shortly after the deadline, not waited for forever', async () => {
  const runtime = createRuntime();
  runtime.spawn(() => facade({ stop: () => new Promise(() => {}) }), { id: 'hang' });
  const started = Date.now();
  const report = await runtime.stop({ deadlineMs: 100 });
  const elapsed = Date.now() - started;
  assert.equal(report.cut, ['hang']);
  assert.ok(elapsed < 5000, `bounded (${elapsed} ms)`);
});

test("an error the facade's actor raises while it is being stopped is recorded, not an uncaught exception", async () => {
  const runtime = createRuntime();
  const uncaught = await uncaughtDuring(async () => {
    runtime.spawn(() => {
      const base = facade();
      return { ...base, stop: async () => base.actor.send({ type: 'fail' }) };
    }, { id: 'loud' });
    await sleep(5);
    await runtime.stop({ deadlineMs: 100 });
  });
  assert.equal(uncaught.map(String), []);
  assert.is(stoppedStatus(runtime, 'loud')?.errors, 1);
});

test('stop() under a SimulatedClock still ends at its deadline (nobody advances the clock during shutdown)', async () => {
  const runtime = createRuntime({ clock: new SimulatedClock() });
  runtime.spawn(() => facade({ drain: () => new Promise(() => {}) }), { id: 'stuck' });
  const report = await Promise.race([runtime.stop({ deadlineMs: 50 }), sleep(5000).then(() => 'hung' as const)]);
  assert.equal(report, { drained: [], cut: ['stuck'], stopped: [] });
});

test('stop() called twice drains each actor once and both calls get the same report', async () => {
  const log: string[] = [];
  const runtime = createRuntime();
  runtime.spawn(() => facade({ log, drain: async () => void log.push('drain') }), { id: 'd' });
  await sleep(5);
  const [a, b] = await Promise.all([runtime.stop({ deadlineMs: 200 }), runtime.stop({ deadlineMs: 200 })]);
  assert.equal(a, { drained: ['d'], cut: [], stopped: [] });
  assert.equal(b, a);
  assert.equal(log, ['start', 'drain', 'stop']);
});

test('restart times outside the window are forgotten (no growth for a rarely failing actor)', async () => {
  let at = 0;
  const clock = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (id: unknown) => clearTimeout(id as never), now: () => at };
  const runtime = createRuntime({ clock, restart: { maxRestarts: 2, withinMs: 1000, backoffMs: 1, maxBackoffMs: 1 } });
  const actor = runtime.spawn(idle, { id: 'rare' });
  for (let i = 1; i <= 5; i++) {
    at = i * 10_000; // one failure every 10 s, window 1 s: always restarted
    actor.send({ type: 'fail' } as never);
    await eventually(() => actor.status().restarts === i && actor.status().status === 'running', `restart ${i}`);
  }
  assert.ok((actor as unknown as { supervisor: { restartTimes: number[] } }).supervisor.restartTimes.length <= 1, 'old restart times dropped');
  await runtime.stop({ deadlineMs: 0 });
});

test('serveStatus after stop is refused (a server nobody would close)', async () => {
  const runtime = createRuntime();
  await runtime.stop();
  let error: unknown;
  await runtime.serveStatus().catch((e: unknown) => (error = e));
  assert.instance(error, RuntimeStoppedError);
});

test.run();
