import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { RequestFailedError, RequestTimeoutError, ResponseTooLargeError } from '../../errors/delivery.js';

/**
 * One HTTP exchange over undici, bounded in time and size: connecting, waiting for the answer's
 * headers and every pause in its body are each bounded by `timeoutMs` (undici's own timers, no
 * per-request timer or AbortController on the hot path), and an answer larger than
 * `maxResponseBytes` fails the exchange instead of filling memory.
 */
export interface HttpExchange {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** '' sends no body. */
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Aborts the exchange (the attempt's actor was stopped). */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

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

async function exchangeOnce(dispatcher: Dispatcher, exchange: HttpExchange): Promise<HttpAnswer> {
  try {
    const response = await request(exchange.url, {
      dispatcher,
      method: exchange.method as Dispatcher.HttpMethod,
      headers: exchange.headers,
      body: exchange.body === '' ? undefined : exchange.body,
      headersTimeout: exchange.timeoutMs,
      bodyTimeout: exchange.timeoutMs,
      ...(exchange.signal ? { signal: exchange.signal } : {}),
    });
    const declared = Number(response.headers['content-length']);
    if (declared <= exchange.maxResponseBytes) {
      // The common case: a declared length within the limit is read in one go (undici enforces
      // that the body matches its content-length).
      return { statusCode: response.statusCode, headers: response.headers, body: await response.body.text() };
    }
    if (declared > exchange.maxResponseBytes) {
      discard(response.body);
      throw new ResponseTooLargeError(exchange.url, exchange.maxResponseBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > exchange.maxResponseBytes) {
        response.body.destroy();
        throw new ResponseTooLargeError(exchange.url, exchange.maxResponseBytes);
      }
      chunks.push(chunk as Buffer);
    }
    return { statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw error;
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError
    ) {
      throw new RequestTimeoutError(exchange.url, exchange.timeoutMs);
    }
    throw new RequestFailedError(exchange.url, error);
  }
}

/** Drops a body we will not read; the abort it causes is expected, not an unhandled 'error'. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}
