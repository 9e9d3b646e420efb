/**
 * An agent process for the crash tests (forked by client-process.ts, killed with SIGKILL): a link
 * over a retry-queue directory that hands reports to the link and tells its parent of each one
 * once handed, so the parent knows which reports the link was given.
 *
 * Task t: `task.confirm`, `logs` × `task.log` (content `t<t> line <k>`), `task.result`; tasks
 * `firstTask`..`lastTask` one after the other, a short random pause between reports.
 *
 * Runs only as that child (it finds its config in CRASH_CLIENT): imported by the test runner,
 * which loads every file under tests/link, it does nothing.
 */
import { createLink } from '../../../actors/link/link.js';
import type { ClientConfig, ClientMessage, Handed, ParentMessage } from './client-process.js';

const tell = (message: ClientMessage) => process.send!(message);
/**
 * A report counts as handed once its tick is over: the link writes a tick's reports to its log
 * when the tick ends (a process.nextTick queued before this one), before sending any of them.
 */
const handed = (message: Omit<Handed, 'type'>) => process.nextTick(() => tell({ type: 'handed', ...message }));

async function run(config: ClientConfig): Promise<void> {
  const link = createLink({
    serverAddress: config.url,
    agentId: config.agentId,
    agentKey: 'secret',
    retryQueueDir: config.dir,
    durability: config.durability,
    retryQueueMemorySize: config.memorySize,
    maxInFlight: config.maxInFlight,
    retryQueueLoadIntervalMs: 20,
    reconnectInitialMs: 20,
    reconnectMaxMs: 100,
    closeTimeoutMs: 2_000,
  });
  link.start();

  process.on('message', async (message: ParentMessage) => {
    if (message.type === 'counters') tell({ type: 'counters', counters: link.counters() });
    if (message.type === 'close') {
      await link.close();
      tell({ type: 'closed', counters: link.counters() });
      process.exit(0);
    }
  });

  /** Mostly no wait, sometimes a macrotask, sometimes a millisecond: kills land everywhere. */
  const pause = () => {
    const roll = Math.random();
    return roll < 0.4 ? Promise.resolve() : new Promise<void>((resolve) => (roll < 0.8 ? setImmediate(resolve) : setTimeout(resolve, 1)));
  };

  tell({ type: 'ready', counters: link.counters() });
  for (let t = config.firstTask; t <= config.lastTask; t++) {
    const requestId = `req-${t}`;
    const taskId = `task-${t}`;
    link.sendTaskConfirm(requestId, taskId);
    handed({ task: t, kind: 'confirm' });
    for (let k = 1; k <= config.logs; k++) {
      await pause();
      link.sendTaskLog(requestId, taskId, `t${t} line ${k}`);
      handed({ task: t, kind: 'log', seq: k });
    }
    await pause();
    link.sendTaskResult(requestId, taskId, { status: 'success', output: t });
    handed({ task: t, kind: 'result' });
  }
  await link.settled();
  tell({ type: 'settled', counters: link.counters() });
}

if (process.env.CRASH_CLIENT !== undefined && process.send) await run(JSON.parse(process.env.CRASH_CLIENT) as ClientConfig);
