import { Agent, type Dispatcher } from 'undici';
import { exchangeOnce, type HttpAnswer, type HttpExchange } from './exchange.js';

export type { HttpAnswer, HttpExchange } from './exchange.js';

export type HttpClient = (exchange: HttpExchange) => Promise<HttpAnswer>;

export interface HttpClientOptions {
  /** undici dispatcher; default: a keep-alive Agent owned (and closed) by the client. */
  dispatcher?: Dispatcher;
  /** Connections per origin of the owned Agent. Default 64. */
  connections?: number;
  /** Connect timeout of the owned Agent. Default 10 000 ms. */
  connectTimeoutMs?: number;
}

/**
 * An `HttpClient` plus `close()`, which destroys the Agent it owns: requests still open are cut
 * (callers drain first; what is cut is retried from the store).
 */
export function createHttpClient(options: HttpClientOptions = {}): { send: HttpClient; close(): Promise<void> } {
  const owned = options.dispatcher ? undefined : new Agent({ connections: options.connections ?? 64, pipelining: 1, connect: { timeout: options.connectTimeoutMs ?? 10_000 } });
  const dispatcher = options.dispatcher ?? owned!;
  return {
    send: (exchange) => exchangeOnce(dispatcher, exchange),
    close: async () => {
      await owned?.destroy();
    },
  };
}
