// Pure statecharts: paste any of them into the Stately visualizer, walk them with xstate/graph, or
// `.provide()` your own adapters. The actors/ layer binds them to the real ones.
export * from './clock.js';
export * from './backoff.js';
export * from './link/link.js';
export * from './sidecar/sidecar.js';
export * from './calls/breaker.js';
export * from './calls/registry.js';
export * from './calls/coordinator.js';
export * from './worker/runner.js';
export * from './worker/job.js';
export * from './delivery/delivery.js';
export * from './delivery/schedule.js';
export * from './delivery/loop.js';
export * from './delivery/outcome.js';
