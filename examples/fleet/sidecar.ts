import type { HostEnv } from '../../actors/host.js';
import { createSidecarAgent, type ServiceOptions, type SidecarAgent } from '../../actors/sidecar/sidecar.js';
import { startSidecarAgent } from '../peers/sidecar-agent.js';
import type { DemoPart } from './part.js';

/**
 * The sidecar's share of the fleet demo: two services registered with one reference sidecar-agent
 * on loopback. Once a second the agent does something a real one does now and then: every 3rd
 * second it drops the watch streams (each service reconnects and replays register), every 7th it
 * sends a garbage frame (counted, ignored), every 11th it answers the next register with a 500
 * (retried with backoff). On stop the runtime drains and deregisters each service.
 */
const services: Array<{ id: string; options: ServiceOptions }> = [
  {
    id: 'sidecar-orders',
    options: { app: { id: 'shop', instanceId: 'shop-1' }, service: { name: 'orders' }, protocol: 'grpc', serverPort: 9090, managedPort: 9091 },
  },
  {
    id: 'sidecar-billing',
    options: { app: { id: 'shop', instanceId: 'shop-1' }, service: { name: 'billing' }, protocol: 'http', serverPort: 8080, managedPort: 8081 },
  },
];

export async function start(): Promise<DemoPart> {
  const peer = await startSidecarAgent({ heartbeatMs: 500, maxRecordedCalls: 1000 });
  const agents = new Map<string, SidecarAgent>();
  let tick = 0;
  const faults = setInterval(() => {
    tick++;
    if (tick % 3 === 0) peer.dropStreams();
    if (tick % 7 === 0) peer.sendGarbage();
    if (tick % 11 === 0) peer.failNext('/register', 500, 1);
  }, 1000);

  return {
    staged: 'the agent drops the watch every 3 s, sends a garbage frame every 7 s, answers a register 500 every 11 s',
    actors: services.map(({ id, options }) => ({
      id,
      create: (env: HostEnv) => {
        const agent = createSidecarAgent(options, {
          baseUrl: peer.url,
          gracePeriod: '300ms',
          reconnectIntervalMs: 200,
          registerRetryInitialMs: 200,
          staleAfterMs: 3000,
          ...env,
        });
        agents.set(id, agent);
        return agent;
      },
    })),
    summary(id) {
      const agent = agents.get(id);
      if (!agent) return 'not started';
      const s = agent.status();
      return `watch=${s.watch} replays=${s.registerReplayCount} failed=${s.registerReplayFailureCount} disconnects=${s.disconnectCount} bad_frames=${s.invalidEventCount}`;
    },
    async stop() {
      clearInterval(faults);
      // The runtime stopped the facades already; stopping again is a no-op and covers a partial start.
      await Promise.all([...agents.values()].map((agent) => agent.stop()));
      await peer.close();
    },
  };
}
