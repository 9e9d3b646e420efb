/**
 * What hosting costs, against raw XState in the same process:
 * - `runtime.events`: event throughput of a hosted actor (supervised, observed, listed in status)
 *   vs `createActor(machine).start()` and `send` in a loop. Goal: ratio >= 0.9 (at most 10 %).
 * - `runtime.spawn` / `runtime.spawn.heap` / `runtime.stop`, at 10k and 100k actors: `runtime.spawn`
 *   then `hosted.stop()` of each vs `createActor().start()` then `actor.stop()`; µs and heap KB per
 *   actor (heap after a full GC, every actor alive). Goal (issue 22): at most 1.5x bare, ratio >= 0.667.
 * - `runtime.status.afterStop`: `status()` once all of them were stopped (the registry holds live
 *   actors only, so it does not grow with how many came and went).
 * `ratio` > 1 means statewire is better (lib.ts); `timesBare` is the plain multiple.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { assign, createActor, setup, type AnyActorRef } from 'xstate';
import { createRuntime } from '../runtime/index.js';
import { compare, median, opsPerSecond, printLine } from './lib.js';

const counter = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'inc' } | { type: 'toggle' } },
}).createMachine({
  id: 'counter',
  context: { n: 0 },
  initial: 'a',
  states: {
    a: { on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) }, toggle: 'b' } },
    b: { on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) }, toggle: 'a' } },
  },
});

const EVENTS = 200_000;
const events = [{ type: 'inc' } as const, { type: 'toggle' } as const];

await compare({
  bench: 'runtime.events',
  unit: 'events/s',
  better: 'higher',
  peer: 'xstate createActor().send',
  rounds: 7,
  ours: async () => {
    const runtime = createRuntime();
    const actor = runtime.spawn(counter, { id: 'counter' });
    const rate = await opsPerSecond(EVENTS, (i) => actor.send(events[i & 1]!));
    await runtime.stop({ deadlineMs: 0 });
    return rate;
  },
  theirs: async () => {
    const actor = createActor(counter).start();
    const rate = await opsPerSecond(EVENTS, (i) => actor.send(events[i & 1]!));
    actor.stop();
    return rate;
  },
});

// ---- spawn and stop at scale -------------------------------------------------------------------

// A full GC before each heap reading, without asking the caller for --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapNow = () => (gc(), gc(), process.memoryUsage().heapUsed);
/** Wall-clock and CPU µs per actor since `from`: CPU time is steadier on a shared, loaded machine. */
function perActor(from: { at: bigint; cpu: NodeJS.CpuUsage }, count: number): { wall: number; cpu: number } {
  const cpu = process.cpuUsage(from.cpu);
  return { wall: Number(process.hrtime.bigint() - from.at) / 1e3 / count, cpu: (cpu.user + cpu.system) / count };
}
const mark = () => ({ at: process.hrtime.bigint(), cpu: process.cpuUsage() });

interface ScaleRound {
  spawnUs: number;
  spawnCpuUs: number;
  heapKb: number;
  stopUs: number;
  stopCpuUs: number;
  /** `status()` after every actor was stopped (runtime only). */
  statusMs?: number;
}

async function hostedRound(n: number): Promise<ScaleRound> {
  const runtime = createRuntime({ keepStopped: 100 });
  const before = heapNow();
  const started = mark();
  const actors = [];
  for (let i = 0; i < n; i++) actors.push(runtime.spawn(counter, { id: `a${i}` }));
  const spawn = perActor(started, n);
  const heapKb = (heapNow() - before) / 1024 / n;
  const stopping = mark();
  await Promise.all(actors.map((actor) => actor.stop({ deadlineMs: 10_000 })));
  const stop = perActor(stopping, n);
  const statusAt = process.hrtime.bigint();
  const left = runtime.status().length;
  const statusMs = Number(process.hrtime.bigint() - statusAt) / 1e6;
  if (left !== 0) throw new Error(`${left} stopped actors still listed`);
  await runtime.stop({ deadlineMs: 0 });
  return { spawnUs: spawn.wall, spawnCpuUs: spawn.cpu, heapKb, stopUs: stop.wall, stopCpuUs: stop.cpu, statusMs };
}

async function bareRound(n: number): Promise<ScaleRound> {
  const before = heapNow();
  const started = mark();
  const actors: AnyActorRef[] = [];
  for (let i = 0; i < n; i++) actors.push(createActor(counter, { id: `a${i}` }).start());
  const spawn = perActor(started, n);
  const heapKb = (heapNow() - before) / 1024 / n;
  const stopping = mark();
  for (const actor of actors) actor.stop();
  const stop = perActor(stopping, n);
  return { spawnUs: spawn.wall, spawnCpuUs: spawn.cpu, heapKb, stopUs: stop.wall, stopCpuUs: stop.cpu };
}

// The 10k rounds warm the JIT for the 100k ones (which would cost a minute more warmed on their own).
for (const [n, rounds, warmup] of [[10_000, 5, 1], [100_000, 3, 0]] as const) {
  for (let i = 0; i < warmup; i++) {
    await hostedRound(n);
    await bareRound(n);
  }
  const ours: ScaleRound[] = [];
  const bare: ScaleRound[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(await hostedRound(n));
    bare.push(await bareRound(n));
  }
  const peer = 'xstate createActor().start() / stop()';
  const lines = [
    ['runtime.spawn', 'spawnUs', 'µs/actor', 'spawnCpuUs'],
    ['runtime.spawn.heap', 'heapKb', 'KB/actor', undefined],
    ['runtime.stop', 'stopUs', 'µs/actor', 'stopCpuUs'],
  ] as const;
  for (const [bench, key, unit, cpuKey] of lines) {
    const a = median(ours.map((r) => r[key]));
    const b = median(bare.map((r) => r[key]));
    const extra: Record<string, unknown> = { actors: n, timesBare: round3(a / b) };
    if (bench !== 'runtime.stop') extra.goal = 'ratio >= 0.667 (at most 1.5x bare)';
    if (cpuKey) {
      const [ca, cb] = [median(ours.map((r) => r[cpuKey])), median(bare.map((r) => r[cpuKey]))];
      extra.cpu = { ours: round3(ca), peerValue: round3(cb), timesBare: round3(ca / cb) };
    }
    printLine({ bench, unit, better: 'lower', peer, ours: round3(a), theirs: round3(b), extra });
  }
  const statusMs = median(ours.map((r) => r.statusMs!));
  console.log(JSON.stringify({ bench: 'runtime.status.afterStop', unit: 'ms', actorsStopped: n, ours: round3(statusMs) }));
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
