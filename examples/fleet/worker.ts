import { createRunner, type Runner, type Worker } from '../../actors/worker/worker.js';
import { memoryQueue } from '../../adapters/worker/memory.js';
import type { QueueCounts } from '../../adapters/worker/types.js';
import type { DemoPart } from './part.js';

/**
 * The job queue in the fleet: two runners sharing the embedded memory backend (no Redis needed).
 * A producer declares 3 jobs a second (every fifth high, every fourth delayed by 2 s); a job
 * fails one time in eight and retries 2 s later, at most twice, so the table shows executions,
 * failures, retries waiting and the odd dead job. Bounded: the producer stops after 20 000 jobs.
 */
const MAX_JOBS = 20_000;

export async function start(): Promise<DemoPart> {
  const backend = memoryQueue();
  const runners = new Map<string, Runner>();
  const work: Worker<{ n: number }> = {
    name: 'demo.job',
    perform: async ({ payload, signal }) => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50 + (payload.n % 5) * 40);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (payload.n % 8 === 3) throw new Error(`demo failure of job ${payload.n}`);
    },
  };
  // Declares only: never started, so it runs no actor of its own.
  const producer = createRunner({ backend });
  producer.registerWorker(work);

  let declared = 0;
  let counts: QueueCounts = { waiting: 0, high: 0, low: 0, dead: 0, completed: 0, failed: 0 };
  const timer = setInterval(() => {
    if (declared >= MAX_JOBS) return;
    const n = declared++;
    producer
      .declare({ name: work.name, payload: { n } }, { queue: n % 5 === 0 ? 'high' : 'low', retry: 2, performAt: n % 4 === 0 ? Date.now() + 2000 : undefined })
      .then(() => backend.counts())
      .then((c) => void (counts = c))
      .catch(() => {});
  }, 333);

  const create = (id: string) => (env: Parameters<DemoPart['actors'][number]['create']>[0]) => {
    const runner = createRunner({ ...env, backend, threads: 2, runnerId: id, retryDelayMs: () => 2000, aliveTtlMs: 6000 });
    runner.registerWorker(work);
    runners.set(env.id, runner);
    return runner;
  };

  return {
    staged: '1 job in 8 fails on purpose and retries 2 s later (at most twice, then dead)',
    actors: [
      { id: 'worker-1', create: create('worker-1') },
      { id: 'worker-2', create: create('worker-2') },
    ],
    summary(id) {
      const runner = runners.get(id);
      if (!runner) return '-';
      const s = runner.status();
      return `exec=${s.execCount} fail=${s.failCount} dead=${s.deadCount} running=${s.running} | queue ready=${counts.high + counts.low} waiting=${counts.waiting} dead=${counts.dead} done=${counts.completed}`;
    },
    async stop() {
      clearInterval(timer);
      for (const runner of runners.values()) await runner.stop({ deadlineMs: 1000 });
      await producer.stop();
      await backend.close();
    },
  };
}
