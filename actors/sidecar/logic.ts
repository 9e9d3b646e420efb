import { fromCallback, fromPromise } from 'xstate';
import type { Dispatcher } from 'undici';
import type { DeregisterRequest, DrainRequest, ServiceNodeBody, SidecarClient } from '../../adapters/sidecar/types.js';
import { RegisterReplayError } from '../../errors/sidecar.js';
import { awaitingReplay, restoredOpen, sidecarMachine } from '../../machines/sidecar/sidecar.js';
import type { RegistrarEvent, SidecarEvent, WatcherEvent } from '../../machines/sidecar/options.js';
import { openWatchStream } from './watch-stream.js';
import { parentOf } from '../../machines/xstate-internals.js';

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

export function provideSidecar(io: SidecarIo, memory: ErrorMemory) {
  const remember = <T>(kind: string, error: T): T => {
    memory.set(kind, error);
    return error;
  };

  /**
   * The register replay of each `connected` frame, started as the frame is parsed.
   *
   * The replay is the watch's hot path (benchmarked: connected → register). In every state that
   * holds a stream open, the chart answers `watch.connected` by requesting a register, so the I/O
   * layer starts that request before the transition runs and the chart's `registrar` adopts
   * it instead of sending a second one: the chart still decides every state and records the
   * outcome, but its transition no longer sits between the frame and the wire. A retry after a
   * failure, which has no frame behind it, sends a fresh request. Several `connected` frames can
   * arrive in one chunk: each starts its own request and the chart requests a register once per
   * frame, so the requests wait in order and each request adopts one.
   */
  const early: Array<Promise<void>> = [];
  /** Register requests not yet settled: the drain waits for them (see `drain` below). */
  const inflight = new Set<Promise<void>>();
  const sendRegister = () => {
    // No abort signal, ever: a register that reached the wire must be answered before the drain
    // goes out, or the agent could apply it after the drain and take traffic again. Finishing a
    // replay whose stream dropped is harmless (register is idempotent; the chart ignores the
    // outcome), it is bounded by the request timeout, and skipping the signal halves the call.
    const request = io.client.register(io.node);
    inflight.add(request);
    const settle = () => void inflight.delete(request);
    request.then(settle, settle);
    return request;
  };
  const startEarlyRegister = () => {
    const request = sendRegister();
    request.catch(() => undefined); // adopted (and reported) by the register actor, or abandoned
    early.push(request);
  };
  const adoptEarlyRegister = (): Promise<void> | undefined => early.shift();

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

  const watchDeps = {
    watchUrl: io.watchUrl,
    connectTimeoutMs: io.connectTimeoutMs,
    remember,
    onConnectedFrame: startEarlyRegister,
    ...(io.dispatcher ? { dispatcher: io.dispatcher } : {}),
  };

  return sidecarMachine.provide({
    actors: {
      // One actor for every connection (see the chart): `stream.open` closes the previous stream
      // and opens one, `stream.close` closes it; a closed stream sends nothing more.
      watcher: fromCallback<WatcherEvent>(({ self, sendBack, receive }) => {
        let stop: (() => void) | undefined;
        let asked = false;
        const close = () => {
          if (!stop) return;
          stop();
          stop = undefined;
          // A replay the chart never adopted belongs to a stream that is gone.
          early.length = 0;
        };
        const handle = (event: WatcherEvent) => {
          asked = true;
          close();
          if (event.type === 'stream.open') stop = openWatchStream(watchDeps, event.lastEventId, sendBack);
        };
        receive(handle);
        queueMicrotask(() => {
          const restored = asked ? undefined : restoredOpen(parentOf(self));
          if (restored) handle(restored);
        });
        return close;
      }),
      // One actor for every replay (see the chart): a request supersedes the one in flight and a
      // cancel drops it, so only the latest request's outcome reaches the chart, and the failure of
      // a dropped one is not remembered (as an aborted promise actor's was not).
      registrar: fromCallback<RegistrarEvent>(({ self, sendBack, receive }) => {
        let current = 0;
        const service = io.node.service as { name?: unknown };
        const handle = (event: RegistrarEvent) => {
          const ticket = ++current;
          if (event.type !== 'register.request') return;
          (adoptEarlyRegister() ?? sendRegister()).then(
            () => {
              if (ticket === current) sendBack({ type: 'register.done' } satisfies SidecarEvent);
            },
            (error: unknown) => {
              if (ticket !== current) return;
              sendBack({
                type: 'register.failed',
                error: remember('register_replay', new RegisterReplayError(String(service.name ?? ''), io.node.server_port, error)),
              } satisfies SidecarEvent);
            },
          );
        };
        receive(handle);
        // Restored while `registering` (see awaitingReplay): that request is ours to send again.
        if (awaitingReplay(parentOf(self))) handle({ type: 'register.request' });
      }),
      serve: stage('serve', (signal) => io.serve(signal)),
      hostShutdown: stage('shutdown', () => io.shutdown()),
      drain: stage('agent_shutdown', async (signal) => {
        await Promise.allSettled(inflight);
        await io.client.drain(io.drainRequest, signal);
      }),
      deregister: stage('agent_shutdown', (signal) => io.client.deregister(io.deregisterRequest, signal)),
    },
  });
}
