/**
 * Sidecar benchmark: the time from a `connected` event written by the sidecar-agent to the register
 * request it receives, over 1000 reconnects per client: 10 rounds of 100 (each after 5 unmeasured
 * reconnects of that client) following a warm-up round, the clients' order rotating per round.
 *
 * ours:   `createSidecarAgent` (SSE over undici + eventsource-parser → chart → register actor).
 * theirs: a hand-written undici + eventsource-parser loop doing the same round trip, no chart.
 * floor:  the same hand loop, plus the smallest statechart that keeps a status: a two-state XState
 *         actor told of each frame the way ours tells its chart (after the chunk, once the register
 *         request is on its way). No design in which a statechart hears of the frame as it arrives
 *         can beat it, so `ours / floor` is the cost of our own code and `floor / theirs` the cost of
 *         having a statechart at all in this window.
 *
 * All three run against one reference agent in a child process, in rotating rounds. The agent
 * timestamps both ends itself (`performance.now()` when it writes `connected` and when the register
 * request arrives), then drops the stream shortly after the register to start the next reconnect.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { assign, createActor, createMachine } from 'xstate';
import { createSidecarAgent } from '../actors/sidecar/sidecar.js';
import { buildServiceNode, type ServiceOptions } from '../actors/sidecar/node.js';
import { startSidecarAgent } from '../examples/peers/sidecar-agent.js';
import { median, percentile, printLine } from './lib.js';

const PER_ROUND = 100;
const ROUNDS = 10;
/** Reconnects at the start of each round left out: a client's first connections are new ones. */
const SETTLE = 5;
/** Pause between the register arriving and the drop, so each client reads its answer before its stream ends. */
const DROP_AFTER_MS = 2;

const service: ServiceOptions = {
  app: { id: 'bench', instanceId: 'bench-1' },
  service: { name: 'orders' },
  protocol: 'grpc',
  serverPort: 9090,
};

type Client = (baseUrl: string) => { stop(): Promise<void> };

/** Client-process CPU time per reconnect (µs), per client, one entry per round. */
const cpuPerReconnect = new Map<Client, number[]>();

/**
 * The agent's side, in a child process (as in production: the sidecar-agent is another process, so
 * neither client's own CPU time is charged to the agent's clock). Per round it answers the parent
 * with `count` connected→register latencies, dropping the stream shortly after each register.
 */
async function agentProcess(): Promise<void> {
  let round: { count: number; latencies: number[] } | undefined;
  const peer = await startSidecarAgent({
    heartbeatMs: 0,
    maxRecordedCalls: 100,
    onCall(call) {
      const connectedAt = peer.connectedAt.at(-1);
      if (call.path !== '/register' || !round || connectedAt === undefined) return;
      round.latencies.push(call.at - connectedAt);
      peer.connectedAt.length = 0; // one sample per connect
      if (round.latencies.length < round.count) {
        setTimeout(() => peer.dropStreams('end'), DROP_AFTER_MS);
        return;
      }
      process.send!({ type: 'latencies', values: round.latencies });
      round = undefined;
    },
  });
  process.on('message', (message: { type: string; count?: number }) => {
    if (message.type === 'round') round = { count: message.count!, latencies: [] };
    if (message.type === 'close') void peer.close().then(() => process.disconnect());
  });
  process.send!({ type: 'ready', url: peer.url });
}

interface AgentProcess {
  url: string;
  /** Runs one client for `count` reconnects; the latencies in ms. */
  round(count: number, client: Client): Promise<number[]>;
  close(): Promise<void>;
}

async function startAgentProcess(): Promise<AgentProcess> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, SIDECAR_BENCH_ROLE: 'agent' } });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        clearTimeout(limit);
        resolve(message);
      };
      // Bounded: a stalled client fails the bench instead of hanging it.
      const limit = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`no ${type} from the agent process within 30 s`));
      }, 30_000);
      child.on('message', onMessage);
    });
  const { url } = (await next('ready')) as { url: string };
  return {
    url,
    async round(count, client) {
      const answer = next('latencies');
      child.send({ type: 'round', count });
      const cpuBefore = process.cpuUsage();
      const running = client(url);
      try {
        const { values } = (await answer) as { values: number[] };
        const cpu = process.cpuUsage(cpuBefore);
        cpuPerReconnect.set(client, [...(cpuPerReconnect.get(client) ?? []), (cpu.user + cpu.system) / count]);
        return values;
      } finally {
        await running.stop();
      }
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

const ours: Client = (baseUrl) => {
  const agent = createSidecarAgent(service, {
    baseUrl,
    reconnectIntervalMs: 1,
    reconnectMaxMs: 1,
    staleAfterMs: 0,
    gracePeriod: 0,
    seed: 1,
  });
  agent.start();
  return {
    async stop() {
      // Only the watch is measured: stop the actor without the drain/deregister round trips.
      agent.actor.stop();
      await agent.stop();
    },
  };
};

/** What the hand loop tells whoever watches it: the `connected` frame's data (after the register left) and each stream's end. */
interface LoopWatcher {
  connected(data: unknown): void;
  closed(): void;
}

function handLoop(baseUrl: string, watcher?: LoopWatcher): { stop(): Promise<void> } {
  const pool = new Pool(baseUrl);
  const controller = new AbortController();
  const payload = JSON.stringify(buildServiceNode(service));
  const register = () =>
    pool
      .request({ path: '/register', method: 'POST', headers: { 'content-type': 'application/json' }, body: payload })
      .then((response) => response.body.dump())
      .catch(() => undefined);
  const onConnected = (data: string) => {
    register();
    if (!watcher) return;
    const parsed: unknown = JSON.parse(data);
    setImmediate(() => watcher.connected(parsed));
  };
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await pool.request({ path: '/watch', method: 'GET', headers: { accept: 'text/event-stream' }, signal: controller.signal });
        const parser = createParser({ onEvent: (event) => void (event.event === 'connected' && onConnected(event.data)) });
        const decoder = new TextDecoder();
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
      } catch {
        // Reconnect below, like the chart does.
      }
      watcher?.closed();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
      await pool.close();
    },
  };
}

const theirs: Client = (baseUrl) => handLoop(baseUrl);

/** The smallest statechart with a status: connecting ⇄ connected, recording each frame. */
const floorMachine = createMachine({
  types: {} as { context: { frames: number; last: unknown }; events: { type: 'connected'; data: unknown } | { type: 'closed' } },
  context: { frames: 0, last: null },
  initial: 'connecting',
  states: {
    connecting: { on: { connected: { target: 'connected', actions: assign({ frames: ({ context }) => context.frames + 1, last: ({ event }) => event.data }) } } },
    connected: { on: { closed: 'connecting' } },
  },
});

const floor: Client = (baseUrl) => {
  const actor = createActor(floorMachine);
  actor.subscribe({ error: () => undefined });
  actor.start();
  const loop = handLoop(baseUrl, { connected: (data) => actor.send({ type: 'connected', data }), closed: () => actor.send({ type: 'closed' }) });
  return {
    async stop() {
      await loop.stop();
      actor.stop();
    },
  };
};

async function main(): Promise<void> {
  const agent = await startAgentProcess();
  const clients = { ours, theirs, floor };
  const names = Object.keys(clients) as Array<keyof typeof clients>;
  const roundMedians = { ours: [] as number[], theirs: [] as number[], floor: [] as number[] };
  const pooled = { ours: [] as number[], theirs: [] as number[], floor: [] as number[] };
  const started = performance.now();
  for (const name of names) await agent.round(PER_ROUND, clients[name]); // warm-up, unmeasured
  cpuPerReconnect.clear();
  // Rotating rounds, so drift of the machine hits every client alike.
  // The machine drifts (a 2-vCPU VM's neighbours, CPU frequency): short rounds in a rotating order,
  // so drift hits every client alike and no client always follows the same one.
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      const latencies = (await agent.round(SETTLE + PER_ROUND, clients[name])).slice(SETTLE);
      roundMedians[name].push(median(latencies) * 1000);
      pooled[name].push(...latencies);
    }
  }
  await agent.close();
  const medianOf = (name: keyof typeof clients) => median(roundMedians[name]);
  const peer = 'hand-written undici + eventsource-parser loop';
  const common = { bench: '', unit: 'µs', better: 'lower' as const };
  printLine({ ...common, bench: 'sidecar.connected_to_register.median', peer, ours: medianOf('ours'), theirs: medianOf('theirs'), extra: { reconnects: PER_ROUND * ROUNDS } });
  printLine({
    ...common,
    bench: 'sidecar.connected_to_register.p99',
    peer,
    ours: percentile(pooled.ours, 99) * 1000,
    theirs: percentile(pooled.theirs, 99) * 1000,
    extra: {
      reconnects: pooled.ours.length,
      cpuPerReconnectUs: Object.fromEntries(names.map((name) => [name, Math.round(median(cpuPerReconnect.get(clients[name]) ?? [0]))])),
    },
  });
  printLine({
    ...common,
    bench: 'sidecar.connected_to_register.median_vs_statechart_floor',
    peer: 'the hand loop + a two-state XState actor told of each frame',
    ours: medianOf('ours'),
    theirs: medianOf('floor'),
    extra: {
      // The floor against the bare hand loop: what any statechart in this window costs by itself.
      floorVsHandLoop: Math.round((medianOf('theirs') / medianOf('floor')) * 1000) / 1000,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
  });
}

const role = process.env.SIDECAR_BENCH_ROLE === 'agent' ? agentProcess : main;
role().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
