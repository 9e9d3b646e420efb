import { fromCallback, fromPromise, type EventObject } from 'xstate';
import type { Dispatcher } from 'undici';
import { readWatchStream } from '../../adapters/sidecar/sse-source.js';
import type { DeregisterRequest, DrainRequest, ServiceNodeBody, SidecarClient } from '../../adapters/sidecar/types.js';
import { parseWatchEvent } from '../../adapters/sidecar/watch-event.js';
import { isStatewireError } from '../../errors/base.js';
import {
  RegisterReplayError,
  WatchConnectionError,
  WatchEventParseError,
  WatchHTTPStatusError,
  WatchStreamClosedError,
} from '../../errors/sidecar.js';
import { sidecarMachine, type WatchStreamInput } from '../../machines/sidecar.js';
import type { SidecarErrorInfo, SidecarEvent } from '../../machines/sidecar.options.js';

/**
 * The sidecar chart bound to real I/O: the watch over undici + eventsource-parser, the three agent
 * calls over the HTTP client, and the host's serve/shutdown.
 *
 * The chart keeps errors as plain data (its context must serialise); the real error objects are
 * kept here by kind, so `onError` and `run()` hand hosts the typed instance with its cause.
 */
export interface SidecarIo {
  client: SidecarClient;
  watchUrl: string;
  dispatcher?: Dispatcher;
  connectTimeoutMs: number;
  node: ServiceNodeBody;
  drainRequest: DrainRequest;
  deregisterRequest: DeregisterRequest;
  serve: (signal: AbortSignal) => Promise<void> | void;
  shutdown: () => Promise<void> | void;
}

/** The latest real error of each kind (`watch_parse`, `register_replay`, `serve`, …). */
export type ErrorMemory = Map<string, unknown>;

function watchFailureKind(error: unknown): string {
  if (error instanceof WatchHTTPStatusError) return 'watch_http_status';
  if (error instanceof WatchStreamClosedError) return 'watch_closed';
  return 'watch_connection';
}

function info(kind: string, error: unknown): SidecarErrorInfo {
  if (isStatewireError(error)) return { kind, code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { kind, code: 'SW_UNKNOWN', message };
}

export function provideSidecar(io: SidecarIo, memory: ErrorMemory) {
  const remember = <T>(kind: string, error: T): T => {
    memory.set(kind, error);
    return error;
  };
  /** Runs one stage call and remembers its raw failure under the stage's name. */
  const stage = (kind: string, call: (signal: AbortSignal) => Promise<void> | void) =>
    fromPromise<void, void>(async ({ signal }) => {
      try {
        await call(signal);
      } catch (error) {
        if (!signal.aborted) remember(kind, error);
        throw error;
      }
    });

  return sidecarMachine.provide({
    actors: {
      watchStream: fromCallback<EventObject, WatchStreamInput>(({ input, sendBack }) => {
        const controller = new AbortController();
        const send = (event: SidecarEvent) => {
          // Frames of one chunk can outlive the state that opened the stream: drop them once closed.
          if (!controller.signal.aborted) sendBack(event);
        };
        readWatchStream(
          {
            url: io.watchUrl,
            lastEventId: input.lastEventId,
            signal: controller.signal,
            connectTimeoutMs: io.connectTimeoutMs,
            ...(io.dispatcher ? { dispatcher: io.dispatcher } : {}),
          },
          {
            onFrame(frame) {
              const parsed = parseWatchEvent(frame);
              if (parsed instanceof WatchEventParseError) {
                send({ type: 'watch.invalid', error: info('watch_parse', remember('watch_parse', parsed)) });
                return;
              }
              const { type, ...data } = parsed;
              send({ type: `watch.${type}`, data });
            },
            onRetry: (retryMs) => send({ type: 'watch.retry', retryMs }),
          },
        ).catch((error: unknown) => {
          if (controller.signal.aborted) return;
          const kind = watchFailureKind(error);
          const typed = isStatewireError(error) ? error : new WatchConnectionError(io.watchUrl, error);
          send({ type: 'watch.failed', error: info(kind, remember(kind, typed)) });
        });
        return () => controller.abort();
      }),
      register: fromPromise<void, void>(async ({ signal }) => {
        try {
          await io.client.register(io.node, signal);
        } catch (error) {
          if (signal.aborted) throw error;
          const service = io.node.service as { name?: unknown };
          throw remember('register_replay', new RegisterReplayError(String(service.name ?? ''), io.node.server_port, error));
        }
      }),
      serve: stage('serve', (signal) => io.serve(signal)),
      hostShutdown: stage('shutdown', () => io.shutdown()),
      drain: stage('agent_shutdown', (signal) => io.client.drain(io.drainRequest, signal)),
      deregister: stage('agent_shutdown', (signal) => io.client.deregister(io.deregisterRequest, signal)),
    },
  });
}
