/**
 * Fakes for the sidecar chart's unit and model tests (never used by integration tests): every
 * invoked actor is a deferred the test settles by hand, and the watch stream hands the test its
 * `sendBack`, so each test decides exactly what the "agent" says and when.
 */
import { createActor, fromCallback, fromPromise, SimulatedClock, type InspectionEvent, type Snapshot } from 'xstate';
import { awaitingReplay, restoredOpen, sidecarMachine } from '../../../machines/sidecar/sidecar.js';
import type { RegistrarEvent, SidecarEvent, SidecarInput, WatcherEvent } from '../../../machines/sidecar/options.js';

export interface Deferred {
  resolve(): void;
  reject(error: unknown): void;
}

/** `restore`: a persisted snapshot to start from, and the clock time to resume at. */
export function createHarness(
  input: Partial<SidecarInput> = {},
  inspect?: (event: InspectionEvent) => void,
  restore?: { snapshot: Snapshot<unknown>; at: number },
) {
  const clock = new SimulatedClock();
  if (restore) clock.set(restore.at);
  const pending: Record<string, Deferred[]> = { register: [], serve: [], hostShutdown: [], drain: [], deregister: [] };
  const calls: string[] = [];
  const streams: Array<{ lastEventId: string | null; closed: boolean; send: (event: SidecarEvent) => void }> = [];

  const deferredActor = (name: string) =>
    fromPromise<void, void>(
      () =>
        new Promise<void>((resolve, reject) => {
          calls.push(name);
          pending[name]!.push({ resolve, reject });
        }),
    );

  const machine = sidecarMachine.provide({
    actors: {
      // Each `stream.open` is one stream (a `watchStream` call); a closed stream's sends are dropped.
      watcher: fromCallback<WatcherEvent>(({ self, sendBack, receive }) => {
        let open: (typeof streams)[number] | undefined;
        let asked = false;
        const close = () => {
          if (open) open.closed = true;
          open = undefined;
        };
        const handle = (event: WatcherEvent) => {
          asked = true;
          close();
          if (event.type !== 'stream.open') return;
          calls.push('watchStream');
          const stream = {
            lastEventId: event.lastEventId,
            closed: false,
            send: (sent: SidecarEvent) => {
              if (!stream.closed) sendBack(sent);
            },
          };
          streams.push(stream);
          open = stream;
        };
        receive(handle);
        queueMicrotask(() => {
          const restored = asked ? undefined : restoredOpen(self._parent);
          if (restored) handle(restored);
        });
        return close;
      }),
      // The chart's replays: each request is a pending `register` the test settles; only the latest
      // request's outcome reaches the chart (a cancel or a newer request drops the older one).
      registrar: fromCallback<RegistrarEvent>(({ self, sendBack, receive }) => {
        let current = 0;
        const handle = (event: RegistrarEvent) => {
          const ticket = ++current;
          if (event.type !== 'register.request') return;
          calls.push('register');
          pending.register!.push({
            resolve: () => {
              if (ticket === current) sendBack({ type: 'register.done' });
            },
            reject: (error) => {
              if (ticket === current) sendBack({ type: 'register.failed', error });
            },
          });
        };
        receive(handle);
        if (awaitingReplay(self._parent)) handle({ type: 'register.request' });
      }),
      serve: deferredActor('serve'),
      hostShutdown: deferredActor('hostShutdown'),
      drain: deferredActor('drain'),
      deregister: deferredActor('deregister'),
    },
  });
  const actor = createActor(machine, {
    clock,
    ...(inspect ? { inspect } : {}),
    ...(restore ? { snapshot: restore.snapshot as never } : {}),
    input: { serviceName: 'orders', servicePort: 8080, seed: 7, ...input },
  });

  /** The most recent pending call of `name`, settled and removed. */
  const settleLast = async (name: string, outcome: 'resolve' | 'reject', error: unknown = new Error(`${name} failed`)) => {
    const deferred = pending[name]!.pop();
    if (!deferred) throw new Error(`no pending ${name}`);
    if (outcome === 'resolve') deferred.resolve();
    else deferred.reject(error);
    await flush();
  };
  const stream = () => {
    const open = streams.filter((s) => !s.closed);
    if (open.length !== 1) throw new Error(`expected one open watch stream, found ${open.length}`);
    return open[0]!;
  };
  return { actor, clock, calls, streams, pending, stream, settleLast };
}

/** Lets promise actors settle (they resolve on microtasks). */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
