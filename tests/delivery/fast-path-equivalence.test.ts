import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { attemptControl, firstAttempt } from '../../actors/delivery/first-attempt.js';
import type { AttemptSteps } from '../../actors/delivery/task-logic.js';
import { RequestTimeoutError } from '../../errors/delivery.js';
import type { AttemptResponse, DeliveryTask } from '../../machines/delivery/task.js';
import type { RetrySchedule } from '../../machines/delivery/schedule.js';
import { accept2xx, flush, harness, ok, sampleTask, type Reply } from './helpers/chart-harness.js';

/**
 * The first-attempt fast path and the chart must decide a task the same way: for each scripted
 * first attempt, both record the same task (and the same discard), at the same time.
 */
interface Scenario {
  name: string;
  retry: RetrySchedule;
  reply: Reply;
  taskAddIfSuccess?: boolean;
  holdMs?: number;
}

const scenarios: Scenario[] = [
  { name: '200: success, discarded', retry: { kind: 'step', intervalMs: 1000, times: 0 }, reply: ok(200) },
  { name: '200 kept with taskAddIfSuccess', retry: { kind: 'step', intervalMs: 1000, times: 0 }, reply: ok(200), taskAddIfSuccess: true },
  { name: '503: failure on schedule', retry: { kind: 'step', intervalMs: 1000, times: 0, jitter: 0.3 }, reply: ok(503) },
  { name: '429 + long Retry-After', retry: { kind: 'ladder', ladderMs: [100] }, reply: ok(429, 9000) },
  { name: 'refused: failure', retry: { kind: 'ladder', ladderMs: [100, 200] }, reply: new Error('connect ECONNREFUSED') },
  { name: 'timed out: failure with its code', retry: { kind: 'ladder', ladderMs: [100] }, reply: new RequestTimeoutError('http://127.0.0.1:9/hook', 10) },
  { name: 'empty ladder: stopped at once', retry: { kind: 'ladder', ladderMs: [] }, reply: ok(500) },
  { name: 'wait beyond holdMs: parked', retry: { kind: 'step', intervalMs: 120_000, times: 0 }, reply: ok(500), holdMs: 60_000 },
];

for (const s of scenarios) {
  test(`fast path ≡ chart: ${s.name}`, async () => {
    const task = sampleTask(s.retry, { id: 7, requestTime: 0, nextRetryTime: 0 });
    const h = harness({ task, taskAddIfSuccess: s.taskAddIfSuccess, holdMs: s.holdMs }, { replies: [s.reply], validate: accept2xx });
    h.actor.start();
    await flush();
    const chart = h.recorded[0]!;
    const chartState = h.actor.getSnapshot().value;
    h.actor.stop();

    const recorded: Array<{ task: DeliveryTask; discard: boolean }> = [];
    const steps: AttemptSteps = {
      build: async (t) => ({ url: t.url, method: t.method, headers: t.headers, body: t.body }),
      send: async (): Promise<AttemptResponse> => {
        if (s.reply instanceof Error) throw s.reply;
        return s.reply;
      },
      validate: async (_t, response) => accept2xx(response),
      record: async (t, discard) => void recorded.push({ task: t, discard }),
    };
    const outcome = await firstAttempt(task, attemptControl(), {
      steps,
      now: () => 0,
      sleep: async () => {},
      taskAddIfSuccess: s.taskAddIfSuccess ?? false,
      holdMs: s.holdMs ?? 60_000,
      closed: () => false,
    });
    assert.equal(recorded[0], chart);
    const fastState = outcome.task.status === 'success' ? 'delivered' : outcome.task.status === 'stopped' ? 'stopped' : outcome.park ? 'parked' : 'waiting';
    assert.is(fastState, chartState);
  });
}

test.run();
