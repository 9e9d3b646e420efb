import { assign } from 'xstate';
import { resolveTimings } from './options.js';
import { sidecarSetup } from './setup.js';

export { awaitingReplay, restoredOpen } from './setup.js';

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
 * Every I/O step is an invoked actor provided by actors/sidecar/: `watcher` (the SSE watch: one
 * connection per `stream.open`, sends `watch.*` events back), `registrar`, `serve`, `hostShutdown`,
 * `drain`, `deregister`. `watcher` and `registrar` live as long as the chart: `open`'s entry and exit
 * send `stream.open` (with `Last-Event-ID`) and `stream.close`, so a reconnect spawns no actor (an
 * invoked actor per connection cost a spawn and a stop, with their snapshot clones, every reconnect).
 *
 * Register replays go through `registrar`, one callback actor invoked for the chart's whole life:
 * entering `registering` sends it `register.request`, leaving it `register.cancel`, and it answers
 * the latest request (only) with `register.done` or `register.failed`. A promise actor per replay
 * cost a spawn and a stop (two snapshot clones, actor and system bookkeeping) on every reconnect.
 *
 * The named delays, guards, actions and default actors it refers to live in machines/sidecar/setup.ts.
 */
export const sidecarMachine = sidecarSetup.createMachine({
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
    heard: false,
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
                // One timer per window, not one per frame: a frame only moves the deadline (`staleAt`)
                // and marks the link `heard`, in the assign it runs anyway. When the timer fires, it
                // judges the link against the clock (a guard cannot read it, so the verdict is raised):
                // heard from and its window (last frame + window) not over → wait out the rest; else
                // stale. Re-entering this state on every heartbeat cost a timer cancel, a timer arm
                // and an exit/entry each.
                alive: {
                  after: { stale: { actions: 'judgeStaleness' } },
                  on: {
                    'liveness.rearm': { target: 'alive', reenter: true, actions: 'rearmStale' },
                    'liveness.stale': { target: '#sidecar.watch.disconnected', actions: [{ type: 'dropLink', params: { cause: 'stale' } }, 'emitLastError'] },
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
