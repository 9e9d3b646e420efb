import { createCoordinator, type Coordinator, type CoordinatorOptions } from '../../../actors/calls/coordinator.js';
import { startAgentService, type AgentService } from '../../../examples/peers/agent-service.js';

/** Three reference agent services on loopback and a coordinator over them; `close()` ends all. */
export interface CallsPeers {
  services: AgentService[];
  coordinator: Coordinator;
  close(): Promise<void>;
}

export async function startPeers(count = 3, options: CoordinatorOptions = {}, service = 'agents'): Promise<CallsPeers> {
  const services: AgentService[] = [];
  for (let i = 0; i < count; i++) services.push(await startAgentService({ name: `s${i}` }));
  const coordinator = createCoordinator({
    registry: { healthCheckIntervalMs: 0, heartbeatTtlMs: 0 },
    client: { requestTimeoutMs: 1000 },
    retry: { initialMs: 5, maxMs: 20 },
    ...options,
    instances: services.map((s, i) => ({ id: `s${i}`, service, endpoint: s.url })),
  });
  return {
    services,
    coordinator,
    async close() {
      await coordinator.stop();
      await Promise.all(services.map((s) => s.close()));
    },
  };
}

export async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`, { cause: error });
    return error;
  }
  throw new Error(`expected a ${type.name}`);
}
