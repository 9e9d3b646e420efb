// Ports and their implementations: the only code that touches sockets, files, HTTP and Redis.
export { childLogger, consoleLogger, isPinoLike, silentLogger, toLogger, type HostLogger, type Logger, type PinoLikeLogger } from './logger.js';
export * from './link/protocol.js';
export * from './link/websocket.js';
export * from './link/retry-store.js';
export * from './link/memory-retry-store.js';
export * from './link/disk-retry-store.js';
export * from './sidecar/http-client.js';
export * from './sidecar/sse-source.js';
export * from './calls/types.js';
export * from './calls/http-client.js';
export * from './worker/index.js';
export * from './delivery/index.js';
export * from './http/index.js';
