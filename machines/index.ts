// Pure statecharts: paste any of them into the Stately visualizer, walk them with xstate/graph, or
// `.provide()` your own adapters. The actors/ layer binds them to the real ones.
export * from './clock.js';
export * from './backoff.js';
export * from './lease.js';
export * from './link.js';
export * from './sidecar.js';
export * from './breaker.js';
export * from './registry.js';
export * from './coordinator.js';
export * from './runner.js';
export * from './job.js';
export * from './delivery.js';
export * from './schedule.js';
export * from './delivery-loop.js';
export * from './delivery-outcome.js';
