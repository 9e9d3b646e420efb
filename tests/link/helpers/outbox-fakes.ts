import type { OutboxOptions } from '../../../actors/link/outbox.js';
import type { WebSocketConnection } from '../../../adapters/link/websocket.js';

/** An always-open socket that hands every frame written to it to `sent` (outbox unit tests). */
export function fakeSocket(sent: (text: string) => void): WebSocketConnection {
  return {
    send: (text) => (sent(text), true),
    isOpen: () => true,
    bufferedAmount: () => 0,
    close() {},
    terminate() {},
  };
}

/** Outbox options for unit tests: generous limits, a fixed clock, callbacks that do nothing. */
export function outboxOptions(overrides: Partial<OutboxOptions> & Pick<OutboxOptions, 'memory'>): OutboxOptions {
  return {
    idPrefix: 'p-',
    maxRetries: 3,
    ttlMs: 60_000,
    warningThreshold: 100,
    batchLoadSize: 100,
    maxInFlight: 1000,
    now: () => 1_000,
    onDropped: () => {},
    onWarning: () => {},
    onWriteFailed: () => {},
    ...overrides,
  };
}
