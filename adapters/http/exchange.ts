import type { Dispatcher } from 'undici';
import { collect, ExchangeFailure } from './collect.js';
import { dispatchTarget } from './target.js';
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

/** The exchange over `collect` (adapters/http/collect.ts), its failures as delivery's typed errors. */
export async function exchangeOnce(dispatcher: Dispatcher, exchange: HttpExchange): Promise<HttpAnswer> {
  const { url, timeoutMs, maxResponseBytes } = exchange;
  let target;
  try {
    target = dispatchTarget(url);
  } catch (error) {
    throw new RequestFailedError(url, error);
  }
  try {
    return await collect(dispatcher, {
      ...target,
      method: exchange.method,
      headers: exchange.headers,
      body: exchange.body === '' ? null : exchange.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      deadlineMs: timeoutMs,
      maxResponseBytes,
      ...(exchange.signal ? { signal: exchange.signal } : {}),
    });
  } catch (error) {
    if (!(error instanceof ExchangeFailure)) throw error;
    if (error.kind === 'timeout') throw new RequestTimeoutError(url, timeoutMs);
    if (error.kind === 'too_large') throw new ResponseTooLargeError(url, maxResponseBytes);
    throw new RequestFailedError(url, error.cause);
  }
}
