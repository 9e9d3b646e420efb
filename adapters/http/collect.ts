import { errors as undiciErrors, type Dispatcher } from 'undici';

/**
 * One HTTP request whose whole answer is collected as text, on undici's dispatch API with a
 * handler of our own rather than `request()`: the answer comes straight from the parser's chunks,
 * with no Readable body, no async iterator and no AbortController per request (measured: ~20 %
 * fewer requests per second through `request()` + a bounded read, at 50 in flight on loopback).
 *
 * Callers map the neutral `ExchangeFailure` to their own typed errors (delivery, agent client).
 */
export interface CollectRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  /** undici's per-phase limits: answer headers, then each pause in the body. */
  headersTimeout: number;
  bodyTimeout: number;
  /** A limit on the whole exchange, connecting included; omitted: the per-phase limits only. */
  deadlineMs?: number;
  /** A larger answer fails the exchange (and is no longer read). */
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface CollectedAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type ExchangeFailureKind = 'timeout' | 'too_large' | 'transport' | 'aborted';

/** Why an exchange failed, before a caller names it: `cause` is undici's error or the abort reason. */
export class ExchangeFailure extends Error {
  constructor(
    readonly kind: ExchangeFailureKind,
    override readonly cause?: unknown,
  ) {
    super(kind);
  }
}

const timeoutErrors = [undiciErrors.HeadersTimeoutError, undiciErrors.BodyTimeoutError, undiciErrors.ConnectTimeoutError];

export function collect(dispatcher: Dispatcher, request: CollectRequest): Promise<CollectedAnswer> {
  return new Promise<CollectedAnswer>((resolve, reject) => {
    const { maxResponseBytes, signal } = request;
    let controller: Dispatcher.DispatchController | undefined;
    /** Why the exchange was given up before undici had started it (it is dropped as it starts). */
    let abandoned: Error | undefined;
    let settled = false;
    let statusCode = 0;
    let headers: CollectedAnswer['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;

    const settle = (failure: ExchangeFailure | null, answer?: CollectedAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve(answer!);
    };
    /** Ends the exchange from our side and cuts the request (now, or as undici starts it). */
    const giveUp = (failure: ExchangeFailure) => {
      if (settled) return;
      settle(failure);
      if (controller) controller.abort(failure);
      else abandoned = failure;
    };
    const deadline = request.deadlineMs === undefined ? undefined : setTimeout(() => giveUp(new ExchangeFailure('timeout')), request.deadlineMs);
    function onAbort() {
      giveUp(new ExchangeFailure('aborted', signal!.reason));
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        // Given up while queued: throwing here (not `controller.abort()`) makes undici drop the
        // request before writing it and keep the socket; an abort destroyed the socket, so every
        // abandoned request cost a connection (and opened one just to close it when none was free).
        if (abandoned) throw abandoned;
        controller = started;
      },
      onResponseStart(_, status, answerHeaders) {
        if (status < 200) return; // 1xx: informational, the answer follows
        statusCode = status;
        headers = answerHeaders;
        if (Number(answerHeaders['content-length']) > maxResponseBytes) giveUp(new ExchangeFailure('too_large'));
      },
      onResponseData(_, chunk) {
        size += chunk.length;
        if (size > maxResponseBytes) giveUp(new ExchangeFailure('too_large'));
        else chunks.push(chunk);
      },
      onResponseEnd() {
        settle(null, { statusCode, headers, body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError(_, error) {
        if (settled) return; // our own cut coming back
        settle(new ExchangeFailure(timeoutErrors.some((type) => error instanceof type) ? 'timeout' : 'transport', error));
      },
    };

    try {
      dispatcher.dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body,
          headersTimeout: request.headersTimeout,
          bodyTimeout: request.bodyTimeout,
        },
        handler,
      );
    } catch (error) {
      // An option undici refuses before sending anything.
      settle(new ExchangeFailure('transport', error));
    }
  });
}
