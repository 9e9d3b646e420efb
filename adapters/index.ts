// Ports and their implementations: the only code that touches sockets, files, HTTP and Redis.
export { consoleLogger, silentLogger, type Logger } from './logger.js';
export * from './link/protocol.js';
export * from './link/websocket.js';
export * from './link/retry-store.js';
export * from './link/memory-retry-store.js';
export * from './link/disk-retry-store.js';
export * from './sidecar/http-client.js';
export * from './sidecar/sse-source.js';
export * from './agent-client/types.js';
export * from './agent-client/http-client.js';
export * from './queue/index.js';
export * from './task-store/index.js';
export * from './http/index.js';
