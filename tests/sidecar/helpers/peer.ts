/**
 * Integration set-up: a real reference sidecar-agent on loopback and a real `createSidecarAgent`
 * pointed at it, with timings shrunk so reconnects take milliseconds. `close()` tears both down.
 */
import { createSidecarAgent, type CreateSidecarAgentOptions, type SidecarAgent } from '../../../actors/sidecar/sidecar.js';
import type { ServiceOptions } from '../../../actors/sidecar/node.js';
import type { StatewireError } from '../../../errors/base.js';
import { startSidecarAgent, type SidecarAgentOptions, type SidecarAgentPeer } from '../../../examples/peers/sidecar-agent.js';

export const serviceOptions: ServiceOptions = {
  app: { id: 'shop', instanceId: 'shop-1', region: 'eu' },
  kernel: { workerThreads: 4 },
  service: { name: 'orders', version: '1.2.0' },
  protocol: 'grpc',
  serverPort: 9090,
  managedPort: 9091,
};

export interface Pair {
  peer: SidecarAgentPeer;
  agent: SidecarAgent;
  errors: StatewireError[];
  close(): Promise<void>;
}

export async function startPair(agentOptions: Partial<CreateSidecarAgentOptions> = {}, peerOptions: SidecarAgentOptions = {}): Promise<Pair> {
  const peer = await startSidecarAgent({ heartbeatMs: 50, ...peerOptions });
  const errors: StatewireError[] = [];
  const agent = createSidecarAgent(serviceOptions, {
    baseUrl: peer.url,
    reconnectIntervalMs: 20,
    reconnectMaxMs: 100,
    registerRetryInitialMs: 20,
    registerRetryMaxMs: 100,
    staleAfterMs: 2000,
    gracePeriod: '50ms',
    requestTimeoutMs: 1000,
    seed: 3,
    onError: (error) => errors.push(error),
    ...agentOptions,
  });
  return {
    peer,
    agent,
    errors,
    async close() {
      await agent.stop();
      await peer.close();
    },
  };
}
