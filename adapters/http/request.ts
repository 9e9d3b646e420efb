import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { RequestFailedError, RequestTimeoutError, ResponseTooLargeError } from '../../errors/delivery.js';

/**
 * One HTTP exchange over undici, bounded in time and size: the whole exchange — connecting,
 * sending, waiting for the answer's headers and reading its body — ends within `timeoutMs`
 * (one timer per exchange; a receiver trickling its answer cannot hold it open), and an answer
 * larger than `maxResponseBytes` fails the exchange instead of filling memory.
 */
export interface HttpExchange {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** '' sends no body. */
  body: string;
  /** The whole exchange, from connecting to the last byte of the answer. */
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
  const deadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    deadline.abort(new RequestTimeoutError(exchange.url, exchange.timeoutMs));
  }, exchange.timeoutMs);
  const outer = exchange.signal;
  const forward = () => deadline.abort(outer!.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  try {
    const response = await request(exchange.url, {
      dispatcher,
      method: exchange.method as Dispatcher.HttpMethod,
      headers: exchange.headers,
      body: exchange.body === '' ? undefined : exchange.body,
      headersTimeout: exchange.timeoutMs,
      bodyTimeout: exchange.timeoutMs,
      signal: deadline.signal,
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
      timedOut ||
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError
    ) {
      throw new RequestTimeoutError(exchange.url, exchange.timeoutMs);
    }
    throw new RequestFailedError(exchange.url, error);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  }
}

/** Drops a body we will not read; the abort it causes is expected, not an unhandled 'error'. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}
