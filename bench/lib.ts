/**
 * Shared measurement for bench/*.ts: warm up, run several rounds, take the median, and print one
 * JSON line per comparison. `ratio` > 1 always means statewire is better, whatever the unit.
 */
export interface BenchLine {
  bench: string;
  unit: string;
  ours: number;
  peer: string;
  peerValue: number;
  ratio: number;
  [extra: string]: unknown;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `round()` (which returns one measurement) `warmup` times unmeasured, then `rounds` times,
 * alternating with the peer when given, so drift of the machine hits both sides alike.
 */
export async function compare(options: {
  bench: string;
  unit: string;
  /** `higher`: ops/s and the like; `lower`: latencies. Decides which way the ratio points. */
  better: 'higher' | 'lower';
  peer: string;
  ours: () => Promise<number>;
  theirs: () => Promise<number>;
  rounds?: number;
  warmup?: number;
  extra?: Record<string, unknown>;
}): Promise<BenchLine> {
  const [ours, theirs] = await alternate(options.rounds ?? 5, options.warmup ?? 1, options.ours, options.theirs);
  return printLine({ ...options, ours, theirs });
}

/**
 * The medians of `rounds` measurements of `a` and of `b`, taken in turns (a, b, a, …) after
 * `warmup` unmeasured turns of each, so the JIT's warm-up and the machine's drift hit both alike.
 */
export async function alternate(rounds: number, warmup: number, a: () => Promise<number>, b: () => Promise<number>): Promise<[number, number]> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [median(as), median(bs)];
}

/** Prints (and returns) one comparison line from two measured values; for benches that run their own rounds. */
export function printLine(options: {
  bench: string;
  unit: string;
  better: 'higher' | 'lower';
  peer: string;
  ours: number;
  theirs: number;
  extra?: Record<string, unknown>;
}): BenchLine {
  const { ours: a, theirs: b } = options;
  const ratio = options.better === 'higher' ? a / b : b / a;
  const line: BenchLine = {
    bench: options.bench,
    unit: options.unit,
    ours: round(a),
    peer: options.peer,
    peerValue: round(b),
    ratio: round(ratio, 3),
    ...options.extra,
  };
  console.log(JSON.stringify(line));
  return line;
}

/** Operations per second of `fn` run `count` times back to back (awaited when it returns a promise). */
export async function opsPerSecond(count: number, fn: (i: number) => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const result = fn(i);
    if (result instanceof Promise) await result;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Prints (and returns) one scaling line: the cost of one unit of work (a scan, a job) at a small
 * and at a large size. `ratio` here is large over small, so 1 means flat and the goal is a ceiling
 * (`goal`, e.g. 1.2), the one kind of line where lower is better.
 */
export function printScale(options: {
  bench: string;
  unit: string;
  small: { size: number; cost: number };
  large: { size: number; cost: number };
  goal: number;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  const { small, large } = options;
  const ratio = large.cost / small.cost;
  const line = {
    bench: options.bench,
    unit: options.unit,
    [`at${small.size}`]: round(small.cost, 3),
    [`at${large.size}`]: round(large.cost, 3),
    ratio: round(ratio, 3),
    goal: `<= ${options.goal}`,
    flat: ratio <= options.goal,
    ...options.extra,
  };
  console.log(JSON.stringify(line));
  return line;
}
