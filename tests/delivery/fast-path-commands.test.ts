import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock } from 'xstate';
import { LiveTasks } from '../../actors/delivery/live-tasks.js';
import { taskLogic, type AttemptSteps } from '../../actors/delivery/task-logic.js';
import { silentLogger } from '../../adapters/logger.js';
import { businessKey } from '../../adapters/delivery/task-store.js';
import type { DeliveryCommand } from '../../machines/delivery/outcome.js';
import type { AttemptResponse, DeliveryTask } from '../../machines/delivery/task.js';
import type { RetrySchedule } from '../../machines/delivery/schedule.js';
import { accept2xx, flush, ok, sampleTask } from './helpers/chart-harness.js';

/**
 * Stop and retry arriving during a first attempt: the fast path (with the live tasks' hand-over to
 * the chart) must do what the chart does when the same commands reach it in the same state —
 * the same records, in the same order, and the task left live (waiting) or released alike.
 * Every phase × command sequence × answer × schedule (kept in memory, or parked).
 */
type Phase = 'building' | 'sending' | 'validating' | 'recording';
const phases: Phase[] = ['building', 'sending', 'validating', 'recording'];
const sequences: DeliveryCommand[][] = [['stop'], ['retry'], ['stop', 'retry'], ['retry', 'stop'], ['stop', 'retry', 'stop']];
const answers: Array<{ name: string; reply: AttemptResponse }> = [
  { name: '200', reply: ok(200) },
  { name: '503', reply: ok(503) },
];
const schedules: Array<{ name: string; retry: RetrySchedule }> = [
  { name: 'waits', retry: { kind: 'step', intervalMs: 1000, times: 0 } },
  { name: 'parks', retry: { kind: 'ladder', ladderMs: [120_000, 240_000] } },
  { name: 'used up', retry: { kind: 'ladder', ladderMs: [] } },
];
const holdMs = 60_000;

type Recorded = { task: DeliveryTask; discard: boolean };

/** Lets every step settle, and fires what is due now (a wait of 0 ms), but nothing later. */
async function settle(clock: SimulatedClock) {
  for (let i = 0; i < 3; i++) {
    await flush(6);
    clock.increment(0);
  }
}

/** Steps that answer at once, and fire the commands the first time `phase` is reached. */
function gatedSteps(phase: Phase, first: AttemptResponse, fire: () => void) {
  const recorded: Recorded[] = [];
  let fired = false;
  let sends = 0;
  const at = async (p: Phase) => {
    await null;
    if (p === phase && !fired) {
      fired = true;
      fire();
    }
  };
  const steps: AttemptSteps = {
    build: async (t) => {
      await at('building');
      return { url: t.url, method: t.method, headers: t.headers, body: t.body };
    },
    send: async () => {
      await at('sending');
      return sends++ === 0 ? first : ok(200);
    },
    validate: async (_t, response) => {
      await at('validating');
      return accept2xx(response);
    },
    record: async (t, discard) => {
      await at('recording');
      recorded.push({ task: structuredClone(t), discard });
    },
  };
  return { steps, recorded };
}

async function viaChart(task: DeliveryTask, phase: Phase, commands: DeliveryCommand[], first: AttemptResponse) {
  let send = (_c: DeliveryCommand) => {};
  const { steps, recorded } = gatedSteps(phase, first, () => commands.forEach((c) => send(c)));
  const clock = new SimulatedClock();
  const actor = createActor(taskLogic(steps), { clock, input: { task, holdMs } });
  send = (c) => actor.send({ type: c === 'stop' ? 'task.stop' : 'task.retry' });
  actor.start();
  await settle(clock);
  const value = actor.getSnapshot().value;
  actor.stop();
  return { recorded, live: value === 'waiting' || value === 'building' };
}

async function viaFastPath(task: DeliveryTask, phase: Phase, commands: DeliveryCommand[], first: AttemptResponse) {
  let tasks!: LiveTasks;
  const key = businessKey(task.businessType, task.businessId);
  const { steps, recorded } = gatedSteps(phase, first, () => commands.forEach((c) => tasks.command(key, c)));
  const clock = new SimulatedClock();
  tasks = new LiveTasks({
    logic: taskLogic(steps),
    fast: { steps, now: () => clock.now(), sleep: async () => {}, taskAddIfSuccess: false, holdMs, closed: () => false },
    actorOptions: { clock },
    taskInput: { taskAddIfSuccess: false, holdMs },
    callbacks: {},
    logger: silentLogger,
    maxLive: 100,
    draining: () => false,
    onRelease: () => {},
  });
  tasks.first(task, () => {});
  await settle(clock);
  const live = tasks.has(task.id);
  tasks.releaseAll();
  return { recorded, live };
}

for (const phase of phases) {
  for (const commands of sequences) {
    for (const { name, reply } of answers) {
      for (const schedule of schedules) {
        test(`${commands.join('+')} while ${phase}, answer ${name}, schedule ${schedule.name}: fast path ≡ chart`, async () => {
          const task = sampleTask(schedule.retry, { id: 9 });
          const chart = await viaChart(task, phase, commands, reply);
          const fast = await viaFastPath(task, phase, commands, reply);
          assert.equal(fast.recorded, chart.recorded, 'same records');
          assert.is(fast.live, chart.live, 'left live alike');
        });
      }
    }
  }
}

test.run();
