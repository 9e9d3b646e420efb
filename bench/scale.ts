/**
 * Does the cost of one unit of work stay flat as the backlog grows? Each line times the same unit
 * at 10k and at 100k entries and prints large / small (1 = flat; goal <= 1.2). An O(n) path shows
 * as a ratio of 10 or more. The units:
 *   - delivery scan (`incompleteTaskIds`, a page of 200) with nothing due and with everything due,
 *     for the memory, file and Redis task stores;
 *   - delivery retry page: scan a page of due tasks and record each one's retry (memory store);
 *   - delivery auto-clean page: delete a page of aged tasks behind as many pending ones (memory);
 *   - worker memory backend: add 1000 delayed jobs among the backlog; promote and pull 1000;
 *   - and the machine's floor: a random Map lookup + replace among as many entries.
 * The backlog keeps its size while it is measured (what a cycle takes out is put back, untimed),
 * so only its size differs between the two columns. Sizes: BENCH_SCALE_SMALL / BENCH_SCALE_LARGE
 * (default 10 000 / 100 000).
 */
import { Redis } from 'ioredis';
import { fileStore } from '../adapters/delivery/file.js';
import { memoryStore } from '../adapters/delivery/memory.js';
import { redisStore } from '../adapters/delivery/redis.js';
import type { StoredTask, TaskStore } from '../adapters/delivery/task-store.js';
import { memoryQueue } from '../adapters/worker/memory.js';
import type { NewJob } from '../adapters/worker/types.js';
import { startRedis, type TestRedis } from '../tests/helpers/redis.js';
import { tempDir } from '../tests/delivery/helpers/store-fixtures.js';
import { alternate, printScale } from './lib.js';

const SMALL = Number(process.env.BENCH_SCALE_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_SCALE_LARGE ?? 100_000);
const GOAL = 1.2;
const PAGE = 200;
const T0 = 1_000_000;

/** A permutation of 0..n-1 (a multiplicative step), so insertion order is not due order. */
const shuffled = (i: number, n: number) => (i * 7919) % n;

/** Milliseconds per call of `fn` over one timed round: at least 5 calls and ~50 ms, at most `maxCalls`. */
async function msPerCall(maxCalls: number, fn: () => unknown): Promise<number> {
  const start = performance.now();
  let calls = 0;
  while (calls < maxCalls && (calls < 5 || performance.now() - start < 50)) {
    await fn();
    calls++;
  }
  return (performance.now() - start) / calls;
}

/** Both sizes' medians of `rounds` measurements, in turns after one warm-up turn each (lib.ts `alternate`). */
async function alternating(rounds: number, small: () => Promise<number>, large: () => Promise<number>): Promise<{ small: number; large: number }> {
  const [a, b] = await alternate(rounds, 1, small, large);
  return { small: a, large: b };
}

/** Creates `n` sending tasks, due from T0 on in shuffled order; `parallel` creates at once (group commit). */
async function fill(store: TaskStore, n: number, parallel: number, status: StoredTask['status'] = 'sending', requestTime: (i: number) => number = () => T0): Promise<void> {
  for (let i = 0; i < n; i += parallel) {
    const batch: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n, i + parallel); j++) {
      batch.push(store.createTask({ businessType: status, businessId: String(j), status, requestTime: requestTime(j), nextRetryTime: T0 + shuffled(j, n) }));
    }
    await Promise.all(batch);
  }
}

interface StoreKind {
  name: string;
  /** Concurrent creates while filling (the file store group-commits them). */
  parallel: number;
  /** Most calls per timed round (a Redis scan is a round trip, an in-memory one microseconds). */
  maxCalls: number;
  open(): Promise<{ store: TaskStore; dispose(): Promise<void> }>;
}

/** µs per scan of `kind`'s store, with nothing due and with everything due, at both sizes. */
async function scanCosts(kind: StoreKind): Promise<{ idle: { small: number; large: number }; due: { small: number; large: number } }> {
  const small = await kind.open();
  const large = await kind.open();
  try {
    await fill(small.store, SMALL, kind.parallel);
    await fill(large.store, LARGE, kind.parallel);
    for (const [store, n] of [[small.store, SMALL], [large.store, LARGE]] as const) {
      const page = await store.incompleteTaskIds(T0 + n, PAGE);
      if (page.length !== PAGE) throw new Error(`${kind.name}: a due scan returned ${page.length} ids, not ${PAGE}`);
    }
    const µs = (store: TaskStore, now: number) => async () => 1000 * (await msPerCall(kind.maxCalls, () => store.incompleteTaskIds(now, PAGE)));
    const idle = await alternating(5, µs(small.store, T0 - 1), µs(large.store, T0 - 1));
    const due = await alternating(5, µs(small.store, T0 + SMALL), µs(large.store, T0 + LARGE));
    return { idle, due };
  } finally {
    await small.dispose();
    await large.dispose();
  }
}

/** One unit of work on a backlog, timed (`ms`, `units` done), after which the backlog is back at its size. */
type Cycle = () => Promise<{ ms: number; units: number }>;

/** µs per unit of `make(n)`'s cycle at both sizes: rounds of ~100 ms of cycles, in turns. */
async function steadyCost(make: (n: number) => Promise<Cycle>): Promise<{ small: number; large: number }> {
  const round = (cycle: Cycle) => async () => {
    let ms = 0;
    let units = 0;
    const start = performance.now();
    for (let cycles = 0; cycles < 100_000 && (units === 0 || performance.now() - start < 100); cycles++) {
      const done = await cycle();
      ms += done.ms;
      units += done.units;
    }
    return (ms * 1000) / units;
  };
  const small = round(await make(SMALL));
  const large = round(await make(LARGE));
  return alternating(5, small, large);
}

/** A seeded uniform [0, 1) (Park–Miller: exact in doubles, period 2^31 - 2): the same backlogs on every run. */
function seeded(seed: number): () => number {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

/**
 * The machine's own floor: a random Map lookup and replace among `n` entries, the least any
 * in-memory backlog costs per unit. At 100k entries they no longer fit the CPU caches that 10k fit,
 * so even this O(1) step costs more there: read the cycle lines against this ratio.
 */
async function mapCycle(n: number): Promise<Cycle> {
  const map = new Map<number, { n: number }>();
  for (let i = 0; i < n; i++) map.set(i, { n: i });
  const random = seeded(n);
  return async () => {
    const start = performance.now();
    for (let i = 0; i < 1000; i++) {
      const key = Math.floor(random() * n);
      map.set(key, { n: map.get(key)!.n + 1 });
    }
    return { ms: performance.now() - start, units: 1000 };
  };
}

/** The dispatcher's work under a retry storm, without HTTP: scan a page of due tasks, record each as failed and due again somewhere in the backlog. */
async function retryCycle(n: number): Promise<Cycle> {
  const store = memoryStore();
  await fill(store, n, 1);
  const random = seeded(n);
  return async () => {
    const start = performance.now();
    const ids = await store.incompleteTaskIds(T0 + n, PAGE);
    for (const id of ids) {
      const task = (await store.taskDetail(id))!;
      await store.updateTask({ ...task, status: 'failure', nextRetryTime: T0 + Math.floor(random() * n) });
    }
    return { ms: performance.now() - start, units: ids.length };
  };
}

/** Auto-clean's page (1000, as actors/delivery/dispatcher-loop.ts): `n` aged tasks behind `n` pending ones; the page deleted is then replaced, untimed. */
async function cleanCycle(n: number): Promise<Cycle> {
  const store = memoryStore();
  await fill(store, n, 1);
  await fill(store, n, 1, 'success', (i) => shuffled(i, n));
  const random = seeded(n);
  let next = n;
  return async () => {
    const start = performance.now();
    const ids = await store.taskIdsToClean('success', n, 1000);
    for (const id of ids) await store.deleteTask(id);
    const ms = performance.now() - start;
    for (let i = 0; i < ids.length; i++) {
      await store.createTask({ businessType: 'success', businessId: String(next++), status: 'success', requestTime: Math.floor(random() * n), nextRetryTime: 0 });
    }
    return { ms, units: ids.length };
  };
}

/** Worker memory backend with `n` delayed jobs: each cycle adds 1000 due somewhere among them and promotes and pulls the 1000 earliest; one of the two is timed. */
async function delayedCycle(n: number, timed: 'add' | 'promote'): Promise<Cycle> {
  const q = memoryQueue();
  const random = seeded(n);
  let next = 0;
  const batch = (count: number): NewJob[] =>
    Array.from({ length: count }, () => ({ id: `j${next}`, queue: next++ % 5 ? 'low' : 'high', performAt: T0 + Math.floor(random() * n), data: '{}' }));
  for (let i = 0; i < n; i += 1000) await q.add(batch(Math.min(1000, n - i)), 0);
  await q.heartbeat('bench', Infinity);
  const add = async () => {
    const start = performance.now();
    const added = await q.add(batch(1000), 0);
    return { ms: performance.now() - start, units: added };
  };
  const promote = async () => {
    const start = performance.now();
    const { jobs } = await q.pull('bench', 1000, Infinity, 4, Infinity);
    await q.complete('bench', jobs.map((j) => j.id));
    return { ms: performance.now() - start, units: jobs.length };
  };
  return async () => {
    const first = await (timed === 'add' ? add() : promote());
    const second = await (timed === 'add' ? promote() : add());
    if (first.units !== 1000 || second.units !== 1000) throw new Error(`delayed backlog of ${n}: a cycle moved ${first.units}/${second.units} jobs, not 1000`);
    return first;
  };
}

async function main(): Promise<void> {
  let server: TestRedis | undefined;
  const kinds: StoreKind[] = [
    { name: 'memory', parallel: 1, maxCalls: 20_000, open: async () => ({ store: memoryStore(), dispose: async () => {} }) },
    {
      name: 'file',
      parallel: 2000,
      maxCalls: 20_000,
      async open() {
        const tmp = await tempDir('sw-bench-scale-');
        const store = fileStore(tmp.dir);
        return { store, dispose: async () => (await store.close(), await tmp.remove()) };
      },
    },
  ];
  server = await startRedis();
  if (server) {
    const url = server.url;
    let n = 0;
    kinds.push({
      name: 'redis',
      parallel: 1000,
      maxCalls: 2000,
      async open() {
        const client = new Redis(url);
        return { store: redisStore(client, { prefix: `scale${n++}` }), dispose: async () => (await client.flushdb(), client.disconnect()) };
      },
    });
  } else console.log(JSON.stringify({ bench: 'scale.delivery.scan.redis', skipped: 'redis-server not found' }));

  try {
    const sized = (costs: { small: number; large: number }) => ({ small: { size: SMALL, cost: costs.small }, large: { size: LARGE, cost: costs.large } });
    for (const kind of kinds) {
      const { idle, due } = await scanCosts(kind);
      const extra = { store: kind.name, page: PAGE };
      printScale({ bench: `scale.delivery.scan.${kind.name}.none-due`, unit: 'µs/scan', ...sized(idle), goal: GOAL, extra });
      printScale({ bench: `scale.delivery.scan.${kind.name}.all-due`, unit: 'µs/scan', ...sized(due), goal: GOAL, extra });
    }
    const floor = await steadyCost(mapCycle);
    printScale({ bench: 'scale.floor.map', unit: 'µs/op', ...sized(floor), goal: GOAL, extra: { what: 'a random Map get + set: the machine, not statewire' } });
    // The cycles below touch Maps of the backlog's size too: each line carries the floor's ratio.
    const floorRatio = Math.round((floor.large / floor.small) * 100) / 100;
    const retry = await steadyCost(retryCycle);
    printScale({ bench: 'scale.delivery.retry-page.memory', unit: 'µs/task', ...sized(retry), goal: GOAL, extra: { page: PAGE, all: 'due', floorRatio } });
    const clean = await steadyCost(cleanCycle);
    printScale({ bench: 'scale.delivery.clean-page.memory', unit: 'µs/task', ...sized(clean), goal: GOAL, extra: { page: 1000, pendingBeside: 'as many as aged', floorRatio } });
    const add = await steadyCost((n) => delayedCycle(n, 'add'));
    printScale({ bench: 'scale.worker.memory.add-delayed', unit: 'µs/job', ...sized(add), goal: GOAL, extra: { batch: 1000, floorRatio } });
    const promote = await steadyCost((n) => delayedCycle(n, 'promote'));
    printScale({ bench: 'scale.worker.memory.promote-pull', unit: 'µs/job', ...sized(promote), goal: GOAL, extra: { batch: 1000, floorRatio } });
    // ---- runtime spawn / stop at 10k vs 100k actors: another engineer's part of issue 22 (runtime/);
    //      its line goes here, in the same printScale form.
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
