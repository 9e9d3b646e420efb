/**
 * statewire: resilient service edges as XState v5 statecharts, hosted by a supervising runtime.
 * Subpaths: `statewire/machines` (pure charts), `statewire/adapters` (I/O ports), `statewire/actors`
 * (charts bound to adapters, with host-facing facades), `statewire/runtime` (the actor host).
 */
export * from './errors/index.js';
export * from './runtime/index.js';
export * from './actors/index.js';
export * from './adapters/index.js';
export * from './machines/index.js';
