import { createCoordinator, type Coordinator } from '../../actors/calls/coordinator.js';
import { startAgentService, type AgentService } from '../peers/agent-service.js';
import type { DemoPart } from './part.js';

/**
 * Remote agent calls in the fleet: a coordinator over three reference agent service instances on
 * loopback. A light load (4 calls a second, plus a small parallel batch every 2 s) runs through
 * it, and instance `agents-2` goes down for 5 s out of every 15, so the table shows failovers, the
 * instance turning unhealthy, its breaker opening, and both recovering once it is back.
 */
export async function start(): Promise<DemoPart> {
  const services: AgentService[] = [];
  for (let i = 0; i < 3; i++) services.push(await startAgentService({ name: `agents-${i}` }));
  const coordinators = new Map<string, Coordinator>();
  const timers: NodeJS.Timeout[] = [];
  let tick = 0;
  let errors = 0;

  const each = (fn: (coordinator: Coordinator) => Promise<unknown>) => {
    for (const coordinator of coordinators.values()) {
      if (!coordinator.actor.getSnapshot().hasTag('ready')) continue;
      fn(coordinator).catch(() => errors++);
    }
  };
  timers.push(
    setInterval(() => {
      tick++;
      each((c) => c.executeAgent('agents', 'echo', { task: `demo-${tick}` }));
      if (tick % 8 === 0) {
        each((c) =>
          c.executeParallel(Array.from({ length: 3 }, (_, i) => ({ service: 'agents', agent: 'sleep', input: { task: `batch-${i}`, context: { ms: 20 } } }))),
        );
      }
      // 15 s cycle: agents-2 is down from 10 s to 15 s.
      const second = (tick / 4) % 15;
      const flaky = services[2]!;
      // A failed restart (its port taken meanwhile) must not end the demo as an unhandled rejection.
      if (second === 10) flaky.down().catch(() => errors++);
      if (second === 0) flaky.up().catch(() => errors++);
    }, 250),
  );

  return {
    staged: 'instance agents-2 goes down for 5 s in every 15: failover, unhealthy, breaker open, recovery',
    actors: [
      {
        id: 'calls',
        create: (env) => {
          const coordinator = createCoordinator({
            ...env,
            instances: services.map((s, i) => ({ id: `agents-${i}`, service: 'agents', endpoint: s.url })),
            registry: { healthCheckIntervalMs: 1000, heartbeatTtlMs: 0 },
            healthCheckTimeoutMs: 500,
            // One failure opens a breaker here, so the table shows it: a down instance leaves the rotation after one failover anyway.
            breaker: { maxFailures: 1, timeoutMs: 3000 },
            client: { requestTimeoutMs: 2000 },
          });
          coordinators.set(env.id, coordinator);
          return coordinator;
        },
      },
    ],
    summary(id) {
      const coordinator = coordinators.get(id);
      if (!coordinator) return '-';
      const c = coordinator.counters();
      return `ok=${c.succeeded} failed=${c.failed} failovers=${c.failovers} healthy=${c.instances_healthy}/${c.instances} open=${c.breakers_open} load_errors=${errors}`;
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      for (const coordinator of coordinators.values()) await coordinator.stop();
      await Promise.all(services.map((s) => s.close()));
    },
  };
}
