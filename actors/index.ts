// Facades: the charts bound to their adapters, with the host-facing API. Each accepts the
// runtime's HostEnv (inspect, clock, logger), so `runtime.spawn(env => createX({ ...o, ...env }), { id })` hosts it.
export type { Facade, HostEnv } from './facade.js';
export * from './link.js';
export * from './sidecar.js';
export * from './breaker.js';
export * from './registry.js';
export * from './coordinator.js';
export * from './agent-client.js';
export * from './runner.js';
export * from './delivery.js';
export { rearmDelays } from './rearm.js';
