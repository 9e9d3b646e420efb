import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, setup } from 'xstate';
import type { Facade } from '../../actors/host.js';
import { createRuntime } from '../../runtime/index.js';

/** A machine with a drain step that takes `drainMs` (a delay) before reaching its final state. */
const drainable = setup({
  types: { input: {} as { drainMs: number }, context: {} as { drainMs: number } },
  delays: { drainTime: ({ context }) => context.drainMs },
}).createMachine({
  id: 'drainable',
  context: ({ input }) => ({ drainMs: input.drainMs }),
  initial: 'serving',
  states: {
    serving: { tags: ['ready'], on: { drain: 'draining' } },
    draining: { after: { drainTime: 'drained' } },
    drained: { type: 'final' },
  },
});

const idle = setup({}).createMachine({ id: 'idle', initial: 'on', states: { on: {} } });

/** A facade whose drain never finishes: it must be cut at the deadline and stopped hard. */
function stuckFacade(log: string[], id: string): Facade {
  const actor = createActor(idle);
  return {
    actor,
    start: () => void actor.start(),
    drain: () => {
      log.push(`drain ${id}`);
      return new Promise(() => {});
    },
    stop: async () => {
      log.push(`stop ${id}`);
      actor.stop();
    },
    status: () => ({ stuck: true }),
    counters: () => ({ widgets_total: 7 }),
  };
}

test('stop: reverse spawn order; drains that finish are "drained", a drain past the deadline is cut', async () => {
  const log: string[] = [];
  const runtime = createRuntime();
  const fast = runtime.spawn(drainable, { id: 'fast', input: { drainMs: 20 } });
  fast.subscribe((s) => log.push(`fast ${s.status}`));
  runtime.spawn((env) => stuckFacade(log, env.id), { id: 'stuck' });
  runtime.spawn(fromPromise(() => new Promise(() => {})), { id: 'plain' });
  runtime.spawn(drainable, { id: 'slow', input: { drainMs: 5_000 } });

  const started = Date.now();
  const report = await runtime.stop({ deadlineMs: 300 });
  const elapsed = Date.now() - started;

  assert.equal(report, { drained: [], cut: ['slow', 'stuck', 'fast'], stopped: ['plain'] }, 'slow and stuck used the whole deadline: fast got no time left');
  assert.ok(elapsed >= 290 && elapsed < 1500, `stopped at the deadline (${elapsed} ms)`);
  assert.equal(log.filter((l) => l.startsWith('drain') || l.startsWith('stop')), ['drain stuck', 'stop stuck']);
  assert.is(runtime.get('slow'), undefined, 'a stopped actor leaves the registry');
  assert.equal(runtime.stopped().map((s) => [s.id, s.status]), [['slow', 'stopped'], ['plain', 'stopped'], ['stuck', 'stopped'], ['fast', 'stopped']], 'its final status is kept');
});

test('stop: a machine that drains within the deadline is reported drained and reached its final state', async () => {
  const runtime = createRuntime();
  const fast = runtime.spawn(drainable, { id: 'fast', input: { drainMs: 20 } });
  runtime.spawn(idle, { id: 'no-drain' });
  const report = await runtime.stop({ deadlineMs: 1000 });
  assert.equal(report, { drained: ['fast'], cut: [], stopped: ['no-drain'] });
  assert.is(fast.getSnapshot().status, 'done');
});

test('stop({ deadlineMs: Infinity }) waits for the drain (an overflowing timer cut it after 1 ms)', async () => {
  const runtime = createRuntime();
  runtime.spawn(drainable, { id: 'fast', input: { drainMs: 30 } });
  const report = await runtime.stop({ deadlineMs: Infinity });
  assert.equal(report, { drained: ['fast'], cut: [], stopped: [] });
});

test('a hosted facade: its status() shows in status details and its counters in /metrics text', async () => {
  const runtime = createRuntime();
  const log: string[] = [];
  const hosted = runtime.spawn((env) => stuckFacade(log, env.id), { id: 'widget' });
  assert.ok(hosted.facade);
  const [status] = runtime.status();
  assert.is(status?.kind, 'facade');
  assert.equal(status?.details, { stuck: true });
  assert.match(runtime.metrics(), 'statewire_widgets_total{actor="widget"} 7');
  await runtime.stop({ deadlineMs: 10 });
  assert.equal(log, ['drain widget', 'stop widget']);
});

test.run();
