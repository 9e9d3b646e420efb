import { createHttpAgentClient, type HttpAgentClientOptions } from '../../adapters/calls/http-client.js';
import type { AgentClient } from '../../adapters/calls/types.js';
import type { BreakerStateName } from '../../machines/calls/breaker.js';
import type { BreakerInput } from '../../machines/calls/breaker.js';
import { createBreaker, type Breaker, type BreakerFacade } from './breaker.js';
import { checkAgentBreakerOptions } from './breaker-options.js';
import { countsAsFailure } from './failure-policy.js';
import type { HostEnv } from '../host.js';
import { hostActorOptions } from '../host.js';

export interface AgentClientBreakerOptions extends Omit<BreakerInput, 'name'> {
  /**
   * Which errors count as failures. Default here: network errors, timeouts and 5xx, not 4xx
   * (`countsAsFailure`): an agent call's policy, unlike a bare breaker's, which counts every error.
   */
  isFailure?: (error: unknown) => boolean;
  /** Called on every state change of any endpoint's breaker. */
  onStateChange?: (endpoint: string, from: BreakerStateName, to: BreakerStateName) => void;
}

export interface AgentClientOptions extends Omit<HttpAgentClientOptions, 'guardFor'>, Partial<Pick<HostEnv, 'inspect' | 'clock' | 'logger'>> {
  /** Breaker settings shared by every endpoint (each endpoint gets its own breaker). */
  breaker?: AgentClientBreakerOptions;
  /**
   * Where an endpoint's breaker comes from. Default: a standalone breaker actor per endpoint. The
   * coordinator passes its own, so the breakers are children of its actor.
   */
  breakerFor?: (endpoint: string) => Breaker;
}

export interface BreakingAgentClient extends AgentClient {
  /** The endpoint's breaker, once the client has called that endpoint. */
  breaker(endpoint: string): Breaker | undefined;
  /** Every endpoint's breaker state. */
  breakerStates(): Record<string, BreakerStateName>;
}

/**
 * The agent client with one circuit breaker per endpoint (the seed had one per client, so one dead
 * instance cut off all of them). Pings bypass the breakers, so health checks see recovery.
 */
export function createAgentClient(options: AgentClientOptions = {}): BreakingAgentClient {
  // Bad breaker settings fail here, not at the first call to some endpoint.
  if (!options.breakerFor) checkAgentBreakerOptions(options.breaker);
  const breakers = new Map<string, Breaker>();
  const owned = new Map<string, BreakerFacade>();
  const breakerFor =
    options.breakerFor ??
    ((endpoint: string): Breaker => {
      const { onStateChange, ...settings } = options.breaker ?? {};
      const breaker = createBreaker({
        ...settings,
        isFailure: settings.isFailure ?? countsAsFailure,
        name: endpoint,
        ...(onStateChange ? { onStateChange: (from: BreakerStateName, to: BreakerStateName) => onStateChange(endpoint, from, to) } : {}),
        ...hostActorOptions({ inspect: options.inspect, clock: options.clock }),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      owned.set(endpoint, breaker);
      return breaker;
    });
  const http = createHttpAgentClient({
    ...options,
    guardFor: (endpoint) => {
      const breaker = breakerFor(endpoint);
      breakers.set(endpoint, breaker);
      return breaker;
    },
  });
  return {
    ...http,
    breaker: (endpoint) => breakers.get(endpoint),
    breakerStates: () => Object.fromEntries([...breakers].map(([endpoint, breaker]) => [endpoint, breaker.state])),
    async release(endpoint) {
      breakers.delete(endpoint);
      const breaker = owned.get(endpoint);
      owned.delete(endpoint);
      await Promise.all([http.release(endpoint), breaker?.stop()]);
    },
    async close() {
      await http.close();
      await Promise.all([...owned.values()].map((breaker) => breaker.stop()));
      owned.clear();
      breakers.clear();
    },
  };
}
