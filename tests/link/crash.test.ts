import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep } from '../helpers/ports.js';
import { linkFixture, type LinkFixture } from './helpers/fixture.js';
import { expectedShape, handedByTask, highestTaskTouched, serverShape, startClient, unfinishedIds } from './helpers/client-process.js';

/**
 * The agent process is killed with SIGKILL at 30 random points of a run of 200 tasks (confirm,
 * five logs, result each), then started again over the same retry-queue directory. A killed
 * process never resumes its interrupted task: the next one starts with the next task, so every
 * task's reports come from one process and its `seq` numbering stays whole.
 */
const TASKS = 200;
const KILLS = 30;
const LOGS = 5;

let fx: LinkFixture;
test.before(async () => {
  fx = await linkFixture();
});
test.after(() => fx.close());

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)]!;

test('SIGKILL at 30 random points of 200 tasks: every report handed to the link is delivered, none acked is re-sent, order per task kept', async () => {
  const dir = await fx.tempDir();
  const handed = new Map<number, string[]>();
  /** Per kill: the receipt count of every report the server had and the log held as finished. */
  const finishedAtKill: Array<Map<string, number>> = [];
  /** Per kill: the same for every report whose ack that process read for sure (no log needed to say so). */
  const ackedBefore: Array<Map<string, number>> = [];
  let nextTask = 0;
  let killedBeforeReady = 0;
  for (let round = 0; round <= KILLS; round++) {
    const final = round === KILLS;
    // Acks at once or late, so the kills find reports in flight, and durability both ways.
    fx.server.setAckMode('ack', pick([0, 0, 5, 20]));
    const agentId = `crash-agent-${round}`;
    let seen = 0;
    const client = startClient({
      agentId,
      url: fx.server.url,
      dir,
      durability: round % 3 === 2 ? 'always' : 'batch',
      memorySize: 1000,
      maxInFlight: 65_536,
      firstTask: nextTask,
      lastTask: TASKS - 1,
      logs: LOGS,
    });
    try {
      if (final) {
        await client.next('settled', 30_000);
        await client.close();
      } else if (round % 10 === 4) {
        // During start-up: the log's replay and the first re-sends.
        await sleep(100 + Math.random() * 300);
        await client.kill();
        killedBeforeReady++;
      } else {
        await client.next('ready');
        const left = (TASKS - nextTask) * (LOGS + 2);
        await client.handedAtLeast(Math.min(left, Math.floor(Math.random() * 50)));
        // Acks written before `seen` reached the process before the first of two messages it
        // answered, so it had read them by the second answer.
        seen = Date.now();
        await client.counters();
        await client.counters();
        await sleep(Math.random() * 3);
        await client.kill();
      }
    } finally {
      await client.kill();
    }
    for (const [task, kinds] of handedByTask(client.handed)) {
      assert.not.ok(handed.has(task), `task ${task} handed by one process only`);
      handed.set(task, kinds);
    }
    nextTask = Math.max(nextTask, highestTaskTouched(dir, fx.server) + 1);
    if (!final) {
      const unfinished = unfinishedIds(dir);
      const finished = new Map<string, number>();
      const acked = new Map<string, number>();
      for (const { id } of fx.server.reports) {
        if (!unfinished.has(id)) finished.set(id, fx.server.receipts(id));
        const ack = fx.server.lastAck(id);
        if (ack && ack.agentId === agentId && ack.at < seen) acked.set(id, fx.server.receipts(id));
      }
      finishedAtKill.push(finished);
      ackedBefore.push(acked);
    }
  }

  assert.is(nextTask, TASKS, 'the run reached its last task');
  assert.ok(killedBeforeReady >= 3);
  let delivered = 0;
  for (let t = 0; t < TASKS; t++) {
    const mine = handed.get(t) ?? [];
    const theirs = serverShape(fx.server, t);
    // In order and whole: the server has the task's reports as a prefix of confirm, logs, result…
    assert.equal(theirs, expectedShape(LOGS, theirs.length), `task ${t}: order kept`);
    // …and at least every one handed (more when a kill came between the calls and their messages).
    assert.ok(theirs.length >= mine.length, `task ${t}: ${mine.length} handed, ${theirs.length} delivered`);
    delivered += mine.length;
  }
  for (const [kill, finished] of finishedAtKill.entries()) {
    for (const [id, receipts] of finished) assert.is(fx.server.receipts(id), receipts, `kill ${kill}: report ${id} was finished in the log, and was sent again`);
  }
  for (const [kill, acked] of ackedBefore.entries()) {
    for (const [id, receipts] of acked) assert.is(fx.server.receipts(id), receipts, `kill ${kill}: report ${id} was acked (and its ack read), and was sent again`);
  }
  assert.ok(ackedBefore.reduce((n, acked) => n + acked.size, 0) > 100, 'acks read before the kills: the check above saw enough');
  // Not vacuous: most of the 1 400 reports were made (a kill abandons the rest of its task).
  assert.ok(fx.server.reports.length > TASKS * (LOGS + 2) * 0.8, `${fx.server.reports.length} reports delivered, ${delivered} known handed`);
  assert.is(unfinishedIds(dir).size, 0, 'nothing left in the log');
});

test.run();
