import { assign, emit, fromCallback, fromPromise, raise, setup, type EventObject } from 'xstate';
import { backoffDelay } from './backoff.js';
import { msUntil, now } from './clock.js';
import { nextRandom } from './sidecar.random.js';
import {
  resolveTimings,
  type SidecarContext,
  type SidecarEmitted,
  type SidecarErrorInfo,
  type SidecarEvent,
  type SidecarInput,
  type WatchEventData,
} from './sidecar.options.js';

/**
 * The `sidecar` chart: a service's lifecycle with the sidecar-agent on its host (the seed's
 * go-consul/agent), in two parallel regions.
 *
 * - `watch` keeps the SSE watch open and replays register on every `connected` event:
 *   open(link: connecting → connected(registering → registered | retryWait), liveness) →
 *   disconnected → (reconnect delay, jittered) → open. Heartbeats only keep the link alive.
 * - `run` is the seed's `Agent.Run`: idle → lifecycle (wait until ready and registered) → serve →
 *   shutdown (host's) → agent_shutdown (drain → grace → deregister) → stopped. A stage failure is
 *   recorded as `runError` and the run still drains and deregisters.
 *
 * Every I/O step is an invoked actor provided by actors/sidecar*.ts: `watchStream` (one SSE
 * connection, sends `watch.*` events back), `register`, `serve`, `hostShutdown`, `drain`, `deregister`.
 */
export interface WatchStreamInput {
  /** Sent as `Last-Event-ID`; null on the first connection. */
  lastEventId: string | null;
}

/** setTimeout's ceiling: "disabled" timers wait this long (~24.8 days) instead of overflowing. */
const NEVER_MS = 2 ** 31 - 1;

const notProvided = (name: string) =>
  fromPromise<void, void>(async () => {
    throw new Error(`not provided: ${name}`);
  });

function errorInfo(kind: string, error: unknown): SidecarErrorInfo {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { kind, code: typeof code === 'string' ? code : 'SW_UNKNOWN', message: typeof message === 'string' ? message : String(error) };
  }
  return { kind, code: 'SW_UNKNOWN', message: String(error) };
}

function report(data: WatchEventData, previous: SidecarContext['sidecar']): SidecarContext['sidecar'] {
  return {
    ready: data.ready ?? previous.ready,
    status: data.status ?? previous.status,
    lifecycleState: data.lifecycleState ?? previous.lifecycleState,
    service: data.service ?? previous.service,
    message: data.message ?? previous.message,
    generatedAt: data.generatedAt ?? previous.generatedAt,
  };
}

type StageFailure = NonNullable<SidecarContext['runError']>['stage'];

export const sidecarMachine = setup({
  types: {
    input: {} as SidecarInput,
    context: {} as SidecarContext,
    events: {} as SidecarEvent,
    emitted: {} as SidecarEmitted,
  },
  actors: {
    watchStream: fromCallback<EventObject, WatchStreamInput>(() => {
      throw new Error('not provided: watchStream');
    }),
    register: notProvided('register'),
    serve: notProvided('serve'),
    hostShutdown: notProvided('hostShutdown'),
    drain: notProvided('drain'),
    deregister: notProvided('deregister'),
  },
  delays: {
    reconnect: ({ context, system }) => msUntil(system, context.deadlines.reconnectAt ?? 0),
    registerRetry: ({ context, system }) => msUntil(system, context.deadlines.registerRetryAt ?? 0),
    stale: ({ context, system }) => msUntil(system, context.deadlines.staleAt ?? 0),
    readyWait: ({ context, system }) => msUntil(system, context.deadlines.readyAt ?? 0),
    grace: ({ context, system }) => msUntil(system, context.deadlines.graceUntil ?? 0),
  },
  guards: {
    readyToServe: ({ context }) => context.registered && context.sidecar.ready,
  },
  actions: {
    recordEvent: assign(({ context, event, system }) => {
      if (event.type !== 'watch.connected' && event.type !== 'watch.heartbeat' && event.type !== 'watch.disconnected') return {};
      const { data } = event;
      return {
        last: { ...context.last, eventType: event.type.slice('watch.'.length), eventAt: now(system) },
        lastEventId: data.id ?? context.lastEventId,
        sidecar: report(data, context.sidecar),
      };
    }),
    markConnected: assign(({ context, system }) => ({
      connected: true,
      attempts: { ...context.attempts, reconnect: 0 },
      last: { ...context.last, connectedAt: now(system) },
    })),
    armStale: assign(({ context, system }) => ({
      deadlines: { ...context.deadlines, staleAt: now(system) + (context.timings.staleAfterMs > 0 ? context.timings.staleAfterMs : NEVER_MS) },
    })),
    leaveOpen: assign(({ context, event, system }) => {
      // Only a link that was up counts as a disconnect (failed attempts count as watch errors),
      // and stopping the watch on purpose is not one.
      const dropped = context.connected && event.type !== 'watch.stop';
      return {
        connected: false,
        deadlines: { ...context.deadlines, staleAt: null },
        counts: dropped ? { ...context.counts, disconnects: context.counts.disconnects + 1 } : context.counts,
        last: dropped ? { ...context.last, disconnectedAt: now(system) } : context.last,
      };
    }),
    scheduleReconnect: assign(({ context, system }) => {
      const attempt = context.attempts.reconnect + 1;
      const initialMs = context.serverRetryMs ?? context.timings.reconnectIntervalMs;
      const { value, state } = nextRandom(context.random);
      const delay = backoffDelay(attempt, { initialMs, maxMs: Math.max(initialMs, context.timings.reconnectMaxMs), jitter: 'equal' }, () => value);
      return {
        attempts: { ...context.attempts, reconnect: attempt },
        random: state,
        deadlines: { ...context.deadlines, reconnectAt: now(system) + delay },
      };
    }),
    scheduleRegisterRetry: assign(({ context, system }) => {
      const { registerRetryInitialMs: initialMs, registerRetryMaxMs } = context.timings;
      const { value, state } = nextRandom(context.random);
      const delay = backoffDelay(context.attempts.register, { initialMs, maxMs: Math.max(initialMs, registerRetryMaxMs), jitter: 'equal' }, () => value);
      return { random: state, deadlines: { ...context.deadlines, registerRetryAt: now(system) + delay } };
    }),
    recordWatchError: assign(({ context, event, system }) => {
      if (event.type !== 'watch.failed' && event.type !== 'watch.invalid') return {};
      const { counts } = context;
      return {
        lastError: { ...event.error, at: now(system) },
        counts:
          event.type === 'watch.failed'
            ? { ...counts, watchErrors: counts.watchErrors + 1 }
            : { ...counts, invalidEvents: counts.invalidEvents + 1 },
      };
    }),
    recordStale: assign(({ context, system }) => ({
      lastError: {
        kind: 'watch_stale',
        code: 'SW_WATCH_STALE',
        message: `no watch event for ${context.timings.staleAfterMs} ms: treating the stream as disconnected`,
        at: now(system),
      },
    })),
    emitLastError: emit(({ context }) => ({
      type: 'sidecar.error' as const,
      error: { kind: context.lastError?.kind ?? 'unknown', code: context.lastError?.code ?? 'SW_UNKNOWN', message: context.lastError?.message ?? '' },
    })),
    recordRegistered: assign(({ context, system }) => ({
      registered: true,
      attempts: { ...context.attempts, register: 0 },
      deadlines: { ...context.deadlines, registerRetryAt: null },
      counts: { ...context.counts, registerReplays: context.counts.registerReplays + 1 },
      last: { ...context.last, registeredAt: now(system) },
    })),
    emitRegistered: emit(({ context }) => ({ type: 'sidecar.registered' as const, count: context.counts.registerReplays })),
    recordRegisterFailure: assign(({ context, event, system }) => {
      const cause = errorInfo('register_replay', (event as { error?: unknown }).error);
      return {
        registered: false,
        attempts: { ...context.attempts, register: context.attempts.register + 1 },
        counts: { ...context.counts, registerReplayFailures: context.counts.registerReplayFailures + 1 },
        lastError: {
          kind: 'register_replay',
          code: 'SW_REGISTER_REPLAY',
          message: `register replay of ${context.service.name}:${context.service.port} failed: ${cause.message}`,
          at: now(system),
        },
      };
    }),
    armReadyWait: assign(({ context, system }) => ({
      deadlines: { ...context.deadlines, readyAt: now(system) + (context.timings.readyWaitMs > 0 ? context.timings.readyWaitMs : NEVER_MS) },
    })),
    armGrace: assign(({ context, system }) => ({ deadlines: { ...context.deadlines, graceUntil: now(system) + context.timings.gracePeriodMs } })),
    stopWatch: raise({ type: 'watch.stop' }),
    announceStage: emit((_, stage: SidecarEmitted & { type: 'sidecar.stage' }) => stage),
    recordStageFailure: assign(({ context, event, system }, params: { stage: StageFailure }) => {
      const failure =
        params.stage === 'lifecycle'
          ? {
              kind: 'lifecycle',
              code: 'SW_LIFECYCLE_RUN',
              message: `not ready to serve after ${context.timings.readyWaitMs} ms: ${
                context.registered ? 'the sidecar-agent did not report ready' : 'no register succeeded'
              }`,
            }
          : errorInfo(params.stage, (event as { error?: unknown }).error);
      return {
        lastError: { ...failure, kind: params.stage, at: now(system) },
        // The first failure is the cause of the run's end; later ones are only status.
        runError: context.runError ?? { stage: params.stage, code: failure.code, message: failure.message },
      };
    }),
  },
}).createMachine({
  id: 'sidecar',
  type: 'parallel',
  context: ({ input }) => ({
    service: { name: input.serviceName, port: input.servicePort },
    timings: resolveTimings(input),
    random: (input.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0,
    serverRetryMs: null,
    lastEventId: null,
    sidecar: { ready: true, status: null, lifecycleState: null, service: null, message: null, generatedAt: null },
    connected: false,
    registered: false,
    attempts: { reconnect: 0, register: 0 },
    deadlines: { staleAt: null, reconnectAt: null, registerRetryAt: null, readyAt: null, graceUntil: null },
    last: { eventType: null, eventAt: null, connectedAt: null, disconnectedAt: null, registeredAt: null },
    counts: { disconnects: 0, watchErrors: 0, invalidEvents: 0, registerReplays: 0, registerReplayFailures: 0 },
    lastError: null,
    runError: null,
  }),
  states: {
    watch: {
      initial: 'open',
      on: { 'watch.stop': '.off' },
      states: {
        open: {
          type: 'parallel',
          invoke: { id: 'watchStream', src: 'watchStream', input: ({ context }) => ({ lastEventId: context.lastEventId }) },
          exit: 'leaveOpen',
          on: {
            'watch.retry': { actions: assign({ serverRetryMs: ({ event }) => event.retryMs }) },
            'watch.invalid': { actions: ['recordWatchError', 'emitLastError'] },
            'watch.failed': { target: 'disconnected', actions: ['recordWatchError', 'emitLastError'] },
            'watch.disconnected': { target: 'disconnected', actions: 'recordEvent' },
          },
          states: {
            link: {
              initial: 'connecting',
              on: { 'watch.heartbeat': { actions: 'recordEvent' } },
              states: {
                connecting: {
                  on: { 'watch.connected': { target: 'connected', actions: ['recordEvent', 'markConnected'] } },
                },
                connected: {
                  initial: 'registering',
                  // Every `connected` is one replay: a new one restarts the replay (and cancels an in-flight one).
                  on: { 'watch.connected': { target: '.registering', reenter: true, actions: ['recordEvent', 'markConnected'] } },
                  states: {
                    registering: {
                      invoke: {
                        id: 'register',
                        src: 'register',
                        onDone: { target: 'registered', actions: ['recordRegistered', 'emitRegistered'] },
                        onError: { target: 'retryWait', actions: ['recordRegisterFailure', 'emitLastError'] },
                      },
                    },
                    retryWait: {
                      entry: 'scheduleRegisterRetry',
                      after: { registerRetry: 'registering' },
                    },
                    registered: { tags: ['ready'] },
                  },
                },
              },
            },
            liveness: {
              initial: 'alive',
              states: {
                alive: {
                  entry: 'armStale',
                  after: { stale: { target: '#sidecar.watch.disconnected', actions: ['recordStale', 'emitLastError'] } },
                  on: {
                    'watch.connected': { target: 'alive', reenter: true },
                    'watch.heartbeat': { target: 'alive', reenter: true },
                  },
                },
              },
            },
          },
        },
        disconnected: {
          entry: 'scheduleReconnect',
          after: { reconnect: 'open' },
        },
        off: { type: 'final' },
      },
    },
    run: {
      initial: 'idle',
      states: {
        idle: {
          on: { 'agent.run': 'lifecycle', 'agent.shutdown': 'agent_shutdown' },
        },
        lifecycle: {
          entry: ['armReadyWait', { type: 'announceStage', params: { type: 'sidecar.stage', stage: 'lifecycle' } }],
          always: { guard: 'readyToServe', target: 'serve' },
          after: {
            readyWait: { target: 'agent_shutdown', actions: [{ type: 'recordStageFailure', params: { stage: 'lifecycle' } }, 'emitLastError'] },
          },
          on: { 'agent.shutdown': 'agent_shutdown' },
        },
        serve: {
          entry: { type: 'announceStage', params: { type: 'sidecar.stage', stage: 'serve' } },
          invoke: {
            id: 'serve',
            src: 'serve',
            onDone: 'shutdown',
            onError: { target: 'shutdown', actions: [{ type: 'recordStageFailure', params: { stage: 'serve' } }, 'emitLastError'] },
          },
          on: { 'agent.shutdown': 'shutdown' },
        },
        shutdown: {
          entry: { type: 'announceStage', params: { type: 'sidecar.stage', stage: 'shutdown' } },
          invoke: {
            id: 'hostShutdown',
            src: 'hostShutdown',
            onDone: 'agent_shutdown',
            onError: { target: 'agent_shutdown', actions: [{ type: 'recordStageFailure', params: { stage: 'shutdown' } }, 'emitLastError'] },
          },
        },
        agent_shutdown: {
          entry: ['stopWatch', { type: 'announceStage', params: { type: 'sidecar.stage', stage: 'agent_shutdown' } }],
          initial: 'draining',
          states: {
            draining: {
              invoke: {
                id: 'drain',
                src: 'drain',
                onDone: 'grace',
                // Traffic was never taken off, so waiting the grace period buys nothing: deregister now.
                onError: {
                  target: 'deregistering',
                  actions: [{ type: 'recordStageFailure', params: { stage: 'agent_shutdown' } }, 'emitLastError'],
                },
              },
            },
            grace: {
              entry: 'armGrace',
              after: { grace: 'deregistering' },
            },
            deregistering: {
              invoke: {
                id: 'deregister',
                src: 'deregister',
                onDone: { target: '#sidecar.run.stopped', actions: assign({ registered: false }) },
                onError: {
                  target: '#sidecar.run.stopped',
                  actions: [{ type: 'recordStageFailure', params: { stage: 'agent_shutdown' } }, 'emitLastError'],
                },
              },
            },
          },
        },
        stopped: {
          type: 'final',
          entry: { type: 'announceStage', params: { type: 'sidecar.stage', stage: 'stopped' } },
        },
      },
    },
  },
});

export type SidecarMachine = typeof sidecarMachine;
