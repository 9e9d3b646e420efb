import { assign, emit, fromCallback, fromPromise, raise, sendTo, setup, type AnyActorRef, type AnyMachineSnapshot } from 'xstate';
import { msUntil, now } from '../clock.js';
import { parentOf } from '../xstate-internals.js';
import type { RegistrarEvent, SidecarContext, WatcherEvent, SidecarEmitted, SidecarEvent, SidecarInput } from './options.js';
import * as update from './updates.js';

/**
 * The implementations behind the `sidecar` chart (machines/sidecar/sidecar.ts): its types, the default
 * (unprovided) actors, delays, guards and named actions. The chart refers to them by name only;
 * actors/sidecar/ `.provide()` the real actors.
 */

const notProvided = (name: string) =>
  fromPromise<void, void>(async () => {
    throw new Error(`not provided: ${name}`);
  });

type StageFailure = update.StageFailure;

const waitUntil = (system: Parameters<typeof msUntil>[0], deadline: number | null) => Math.min(update.NEVER_MS, msUntil(system, deadline ?? 0));

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

/**
 * For a `registrar` as it starts: true when its chart is already `registering`, i.e. was restored
 * from a snapshot taken there. The request died with the old registrar (as a per-replay promise
 * actor re-ran on restore), so the registrar acts as if asked again. A fresh chart starts connecting.
 */
export function awaitingReplay(chart: AnyActorRef | undefined): boolean {
  const snapshot = chart?.getSnapshot() as AnyMachineSnapshot | undefined;
  return snapshot?.status === 'active' && snapshot.matches({ watch: { open: { link: { connected: 'registering' } } } });
}

export const sidecarSetup = setup({
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
      if (awaitingReplay(parentOf(self))) answer({ type: 'register.request' });
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
    rearmStale: assign({ heard: false }),
    // Heard from since the timer was armed and the window since that frame not over (a timer that
    // fired late, or a test clock that jumped, must not re-arm for 0 ms: the link is stale now).
    judgeStaleness: raise(({ context, system }) =>
      context.heard && context.deadlines.staleAt !== null && now(system) < context.deadlines.staleAt
        ? ({ type: 'liveness.rearm' } as const)
        : ({ type: 'liveness.stale' } as const),
    ),
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
});
