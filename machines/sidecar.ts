import { assign, emit, fromCallback, fromPromise, raise, sendTo, setup, type AnyActorRef, type AnyMachineSnapshot } from 'xstate';
import { msUntil, now } from './clock.js';
import { resolveTimings, type RegistrarEvent, type SidecarContext, type WatcherEvent, type SidecarEmitted, type SidecarEvent, type SidecarInput } from './sidecar.options.js';
import * as update from './sidecar.updates.js';

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
 * Every I/O step is an invoked actor provided by actors/sidecar*.ts: `watcher` (the SSE watch: one
 * connection per `stream.open`, sends `watch.*` events back), `registrar`, `serve`, `hostShutdown`,
 * `drain`, `deregister`. `watcher` and `registrar` live as long as the chart: `open`'s entry and exit
 * send `stream.open` (with `Last-Event-ID`) and `stream.close`, so a reconnect spawns no actor (an
 * invoked actor per connection cost a spawn and a stop, with their snapshot clones, every reconnect).
 *
 * Register replays go through `registrar`, one callback actor invoked for the chart's whole life:
 * entering `registering` sends it `register.request`, leaving it `register.cancel`, and it answers
 * the latest request (only) with `register.done` or `register.failed`. A promise actor per replay
 * cost a spawn and a stop (two snapshot clones, actor and system bookkeeping) on every reconnect.
 */

const notProvided = (name: string) =>
  fromPromise<void, void>(async () => {
    throw new Error(`not provided: ${name}`);
  });

type StageFailure = update.StageFailure;

const waitUntil = (system: Parameters<typeof msUntil>[0], deadline: number | null) => Math.min(update.NEVER_MS, msUntil(system, deadline ?? 0));

/**
 * For a `registrar` as it starts: true when its chart is already `registering`, i.e. was restored
 * from a snapshot taken there. The request died with the old registrar (as a per-replay promise
 * actor re-ran on restore), so the registrar acts as if asked again. A fresh chart starts connecting.
 */
/**
 * For a `watcher` as it starts: the stream its chart holds open when it was restored from a snapshot
 * taken in `open` (no entry action runs on restore). A fresh chart is `open` too as its children
 * start, but its entry action's `stream.open` follows at once: the watcher calls this a microtask
 * later and only when no request came meanwhile. The stream resumes from the chart's latest id.
 */
export function restoredOpen(chart: AnyActorRef | undefined): WatcherEvent | undefined {
  const snapshot = chart?.getSnapshot() as AnyMachineSnapshot | undefined;
  if (snapshot?.status !== 'active' || !snapshot.matches({ watch: 'open' })) return undefined;
  return { type: 'stream.open', lastEventId: (snapshot.context as SidecarContext).lastEventId };
}

export function awaitingReplay(chart: AnyActorRef | undefined): boolean {
  const snapshot = chart?.getSnapshot() as AnyMachineSnapshot | undefined;
  return snapshot?.status === 'active' && snapshot.matches({ watch: { open: { link: { connected: 'registering' } } } });
}

export const sidecarMachine = setup({
  types: {
    input: {} as SidecarInput,
    context: {} as SidecarContext,
    events: {} as SidecarEvent,
    emitted: {} as SidecarEmitted,
  },
  actors: {
    watcher: fromCallback<WatcherEvent>(() => {
      throw new Error('not provided: watcher');
    }),
    /** Unprovided, every replay fails (as an unprovided promise actor did). */
    registrar: fromCallback<RegistrarEvent>(({ self, sendBack, receive }) => {
      const answer = (event: RegistrarEvent) => {
        if (event.type === 'register.request') sendBack({ type: 'register.failed', error: new Error('not provided: register') });
      };
      receive(answer);
      if (awaitingReplay(self._parent)) answer({ type: 'register.request' });
    }),
    serve: notProvided('serve'),
    hostShutdown: notProvided('hostShutdown'),
    drain: notProvided('drain'),
    deregister: notProvided('deregister'),
  },
  // Capped at setTimeout's ceiling: a longer delay (a 30-day staleness window, a `retry:` of 3e9)
  // overflows and fires after 1 ms, which turned "almost never" into a reconnect loop.
  delays: {
    reconnect: ({ context, system }) => waitUntil(system, context.deadlines.reconnectAt),
    registerRetry: ({ context, system }) => waitUntil(system, context.deadlines.registerRetryAt),
    stale: ({ context, system }) => waitUntil(system, context.deadlines.staleAt),
    readyWait: ({ context, system }) => waitUntil(system, context.deadlines.readyAt),
    grace: ({ context, system }) => waitUntil(system, context.deadlines.graceUntil),
  },
  guards: {
    readyToServe: ({ context }) => context.registered && context.sidecar.ready,
  },
  actions: {
    recordEvent: assign(({ context, event, system }) => update.recordEvent(context, event, now(system))),
    recordConnected: assign(({ context, event, system }) => update.recordConnected(context, event, now(system))),
    armStale: assign(({ context, system }) => update.armStale(context, now(system))),
    leaveOpen: assign(({ context, event, system }) => update.leaveOpen(context, event, now(system))),
    dropLink: assign(({ context, event, system }, params: { cause: update.LinkDrop }) => update.dropLink(context, params.cause, event, now(system))),
    scheduleRegisterRetry: assign(({ context, system }) => update.scheduleRegisterRetry(context, now(system))),
    recordWatchError: assign(({ context, event, system }) => update.recordWatchError(context, event, now(system))),
    recordRegistered: assign(({ context, system }) => update.recordRegistered(context, now(system))),
    recordRegisterFailure: assign(({ context, event, system }) =>
      update.recordRegisterFailure(context, (event as { error?: unknown }).error, now(system)),
    ),
    armReadyWait: assign(({ context, system }) => update.armReadyWait(context, now(system))),
    armGrace: assign(({ context, system }) => update.armGrace(context, now(system))),
    recordStageFailure: assign(({ context, event, system }, params: { stage: StageFailure }) =>
      update.recordStageFailure(context, params.stage, (event as { error?: unknown }).error, now(system)),
    ),
    emitLastError: emit(({ context }) => ({
      type: 'sidecar.error' as const,
      error: { kind: context.lastError?.kind ?? 'unknown', code: context.lastError?.code ?? 'SW_UNKNOWN', message: context.lastError?.message ?? '' },
    })),
    emitRegistered: emit(({ context }) => ({ type: 'sidecar.registered' as const, count: context.counts.registerReplays })),
    announceStage: emit((_, stage: SidecarEmitted & { type: 'sidecar.stage' }) => stage),
    stopWatch: raise({ type: 'watch.stop' }),
    openStream: sendTo('watcher', ({ context }) => ({ type: 'stream.open', lastEventId: context.lastEventId }) satisfies WatcherEvent),
    closeStream: sendTo('watcher', { type: 'stream.close' } satisfies WatcherEvent),
    requestRegister: sendTo('registrar', { type: 'register.request' } satisfies RegistrarEvent),
    cancelRegister: sendTo('registrar', { type: 'register.cancel' } satisfies RegistrarEvent),
  },
}).createMachine({
  id: 'sidecar',
  type: 'parallel',
  invoke: [
    { id: 'watcher', src: 'watcher' },
    { id: 'registrar', src: 'registrar' },
  ],
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
      // Leaving `open` is recorded by the transition that leaves it (one `assign` each, no exit action):
      // `dropLink` towards `disconnected`, `leaveOpen` here (from `disconnected` it changes nothing).
      on: { 'watch.stop': { target: '.off', actions: 'leaveOpen' } },
      states: {
        open: {
          type: 'parallel',
          entry: ['openStream', 'armStale'],
          exit: 'closeStream',
          on: {
            'watch.retry': { actions: assign({ serverRetryMs: ({ event }) => event.retryMs }) },
            'watch.invalid': { actions: ['recordWatchError', 'emitLastError'] },
            'watch.failed': { target: 'disconnected', actions: [{ type: 'dropLink', params: { cause: 'failed' } }, 'emitLastError'] },
            'watch.disconnected': { target: 'disconnected', actions: { type: 'dropLink', params: { cause: 'disconnected' } } },
          },
          states: {
            link: {
              initial: 'connecting',
              on: { 'watch.heartbeat': { actions: 'recordEvent' } },
              states: {
                connecting: {
                  on: { 'watch.connected': { target: 'connected', actions: 'recordConnected' } },
                },
                connected: {
                  initial: 'registering',
                  // Every `connected` is one replay: a new one restarts the replay (and cancels an in-flight one).
                  on: { 'watch.connected': { target: '.registering', reenter: true, actions: 'recordConnected' } },
                  states: {
                    registering: {
                      entry: 'requestRegister',
                      exit: 'cancelRegister',
                      on: {
                        'register.done': { target: 'registered', actions: ['recordRegistered', 'emitRegistered'] },
                        'register.failed': { target: 'retryWait', actions: ['recordRegisterFailure', 'emitLastError'] },
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
                // The staleness deadline is armed by `open`'s entry and re-armed by the frame's own
                // assign (`recordEvent` / `recordConnected`), which runs before this state's re-entry.
                alive: {
                  after: { stale: { target: '#sidecar.watch.disconnected', actions: [{ type: 'dropLink', params: { cause: 'stale' } }, 'emitLastError'] } },
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
          // Its reconnect deadline was set by the transition that came here (`dropLink`).
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
