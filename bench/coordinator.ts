/**
 * Requests per second through `coordinator.executeAgent` over 3 local agent service instances,
 * against undici `Pool.request` round-robin by hand over the same instances, same run, same
 * concurrency, same connections per instance. Both sides parse the JSON answer. The agent
 * services run in this process, so both sides pay the same server cost.
 * `npx tsx bench/coordinator.ts`
 */
import { Pool } from 'undici';
import { createCoordinator } from '../actors/calls/coordinator.js';
import { startAgentService, type AgentService } from '../examples/peers/agent-service.js';
import { compare } from './lib.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CONNECTIONS = 16;
const input = { task: 'bench', context: { n: 1 } };

/** Runs `call` REQUESTS times with CONCURRENCY in flight; requests per second. */
async function throughput(call: () => Promise<unknown>): Promise<number> {
  let left = REQUESTS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await call();
    }),
  );
  return REQUESTS / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const services: AgentService[] = [];
  for (let i = 0; i < 3; i++) services.push(await startAgentService({ name: `bench-${i}` }));
  const coordinator = createCoordinator({
    instances: services.map((s, i) => ({ id: `i${i}`, service: 'bench', endpoint: s.url })),
    client: { connections: CONNECTIONS },
  });
  const pools = services.map((s) => new Pool(s.url, { connections: CONNECTIONS, keepAliveTimeout: 10_000 }));
  let next = 0;
  const byHand = async () => {
    const pool = pools[next++ % pools.length]!;
    const response = await pool.request({
      method: 'POST',
      path: '/api/v1/agents/echo/execute',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(input),
    });
    const body = await response.body.json();
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    return body;
  };
  try {
    await compare({
      bench: 'coordinator.executeAgent 3 instances',
      unit: 'req/s',
      better: 'higher',
      peer: 'undici 7 Pool.request round-robin by hand',
      ours: () => throughput(() => coordinator.executeAgent('bench', 'echo', input)),
      theirs: () => throughput(byHand),
      rounds: 7,
      extra: { requests: REQUESTS, concurrency: CONCURRENCY, connectionsPerInstance: CONNECTIONS },
    });
    const spread = services.map((s) => s.stats.calls);
    if (Math.max(...spread) - Math.min(...spread) > REQUESTS) throw new Error(`uneven spread ${spread.join(',')}`);
  } finally {
    await coordinator.stop();
    await Promise.all(pools.map((pool) => pool.destroy()));
    await Promise.all(services.map((s) => s.close()));
  }
}

await main();
