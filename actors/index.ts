// Facades: the charts bound to their adapters, with the host-facing API. Each accepts the
// runtime's HostEnv (inspect, clock, logger), so `runtime.spawn(env => createX({ ...o, ...env }), { id })` hosts it.
export type { Facade, HostEnv } from './host.js';
export * from './link/link.js';
export * from './sidecar/sidecar.js';
export * from './calls/breaker.js';
export * from './calls/registry.js';
export * from './calls/coordinator.js';
export * from './calls/agent-client.js';
export * from './worker/worker.js';
export * from './delivery/delivery.js';
export { rearmDelays } from '../machines/xstate-internals.js';
