export { ConfigError, StatewireError, describeError, isStatewireError } from './base.js';
export * from './runtime.js';
export * from './link.js';
export * from './sidecar.js';
export * from './calls.js';
export * from './worker.js';
export * from './delivery.js';
