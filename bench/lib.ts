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
  const rounds = options.rounds ?? 5;
  for (let i = 0; i < (options.warmup ?? 1); i++) {
    await options.ours();
    await options.theirs();
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(await options.ours());
    theirs.push(await options.theirs());
  }
  return printLine({ ...options, ours: median(ours), theirs: median(theirs) });
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
