import { assign, setup, spawnChild, stopChild } from 'xstate';
import { breakerMachine, type BreakerInput } from './breaker.js';
import { registryMachine, type RegistryInput } from './registry.js';

/**
 * The coordinator's actor tree: the registry runs as its invoked child (systemId `registry`) and
 * every endpoint's breaker is a spawned child (`breaker:<endpoint>`), so one root shows the whole
 * calls behaviour in the inspector, one clock drives every timer and one persisted snapshot holds
 * it all. The calls themselves (round-robin, failover, retry) run in the facade: a call that
 * changes no state costs no event here. An endpoint that leaves the registry (deregistered) gets its
 * breaker child stopped (`breaker.remove`), so instances that come and go leave nothing behind.
 *
 * running → draining (no new calls; in-flight ones finish) → stopped.
 */
export interface CoordinatorInput {
  registry?: RegistryInput;
  /** Settings of every endpoint's breaker (the name is the endpoint). */
  breaker?: Omit<BreakerInput, 'name'>;
}

export interface CoordinatorContext {
  registry: RegistryInput;
  breaker: Omit<BreakerInput, 'name'>;
  /** Endpoints that have a breaker child, in the order they were first called. */
  endpoints: string[];
}

export type CoordinatorEvent =
  | { type: 'breaker.add'; endpoint: string }
  /** The endpoint left the registry: its breaker child stops and its slot is freed. */
  | { type: 'breaker.remove'; endpoint: string }
  | { type: 'coordinator.drain' }
  | { type: 'coordinator.drained' };

/** The id of an endpoint's breaker child. */
export const breakerChildId = (endpoint: string) => `breaker:${endpoint}`;

export const coordinatorMachine = setup({
  types: {
    input: {} as CoordinatorInput | undefined,
    context: {} as CoordinatorContext,
    events: {} as CoordinatorEvent,
  },
  actors: { registry: registryMachine, breaker: breakerMachine },
  guards: {
    newEndpoint: ({ context, event }) => event.type === 'breaker.add' && typeof event.endpoint === 'string' && !context.endpoints.includes(event.endpoint),
    knownEndpoint: ({ context, event }) => event.type === 'breaker.remove' && context.endpoints.includes(event.endpoint),
  },
  actions: {
    spawnBreaker: spawnChild('breaker', {
      id: ({ event }) => breakerChildId((event as { endpoint: string }).endpoint),
      input: ({ context, event }) => ({ ...context.breaker, name: (event as { endpoint: string }).endpoint }),
    }),
    rememberEndpoint: assign({
      endpoints: ({ context, event }) => [...context.endpoints, (event as { endpoint: string }).endpoint],
    }),
    stopBreaker: stopChild(({ event }) => breakerChildId((event as { endpoint: string }).endpoint)),
    forgetEndpoint: assign({
      endpoints: ({ context, event }) => context.endpoints.filter((endpoint) => endpoint !== (event as { endpoint: string }).endpoint),
    }),
  },
}).createMachine({
  id: 'coordinator',
  context: ({ input }) => ({ registry: input?.registry ?? {}, breaker: input?.breaker ?? {}, endpoints: [] }),
  invoke: { src: 'registry', id: 'registry', systemId: 'registry', input: ({ context }) => context.registry },
  on: {
    'breaker.add': { guard: 'newEndpoint', actions: ['spawnBreaker', 'rememberEndpoint'] },
    'breaker.remove': { guard: 'knownEndpoint', actions: ['stopBreaker', 'forgetEndpoint'] },
  },
  initial: 'running',
  states: {
    running: {
      tags: ['ready'],
      on: { 'coordinator.drain': 'draining' },
    },
    draining: {
      on: { 'coordinator.drained': 'stopped' },
    },
    stopped: { type: 'final' },
  },
});
