import { assign, fromPromise, setup } from 'xstate';
import { msUntil, now } from '../clock.js';

/**
 * The delivery actor's dispatcher: the seed's main loop as a chart, and the facade's root actor.
 *
 *   idle ──loop.start──→ running ─────────loop.close──────────→ closing ──→ closed
 *                        ├ scan:  scanning ⇄ waiting   (every loopIntervalMs, or loop.wake)
 *                        └ clean: waiting ⇄ cleaning   (every autoCleanIntervalMs)
 *
 * `scan` starts the due tasks of the store (those a crash left in sending included); `clean`
 * deletes finished tasks past their age; `drain` lets in-flight attempts finish. `running` is
 * tagged `ready`. Deadlines are absolute times in context, so a restored loop keeps its rhythm.
 */
export interface DeliveryLoopInput {
  /** How often the store is scanned for due tasks. Default 3000 ms (seed: 3 s). */
  loopIntervalMs?: number;
  /** How often auto-clean runs. Default 3 600 000 ms (seed: 1 h). */
  autoCleanIntervalMs?: number;
}

export interface ScanResult {
  /** Tasks started by this scan. */
  picked: number;
  /** More were due than the scan could take: scan again as soon as capacity frees. */
  more: boolean;
}

export interface DeliveryLoopContext {
  loopIntervalMs: number;
  autoCleanIntervalMs: number;
  nextScanAt: number;
  nextCleanAt: number;
  backlog: boolean;
  scans: number;
  picked: number;
  cleaned: number;
  errors: number;
  lastError: string | null;
}

export type DeliveryLoopEvent = { type: 'loop.start' } | { type: 'loop.wake' } | { type: 'loop.close' };

const notProvided = (name: string) => () => {
  throw new Error(`not provided: ${name}`);
};
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const deliveryLoopMachine = setup({
  types: {
    input: {} as DeliveryLoopInput | undefined,
    context: {} as DeliveryLoopContext,
    events: {} as DeliveryLoopEvent,
  },
  actors: {
    scan: fromPromise<ScanResult, void>(notProvided('scan')),
    /** Resolves with the number of tasks deleted. */
    clean: fromPromise<number, void>(notProvided('clean')),
    drain: fromPromise<void, void>(notProvided('drain')),
  },
  delays: {
    scanDue: ({ context, system }) => msUntil(system, context.nextScanAt),
    cleanDue: ({ context, system }) => msUntil(system, context.nextCleanAt),
  },
  actions: {
    scheduleScan: assign({ nextScanAt: ({ context, system }) => now(system) + context.loopIntervalMs }),
    scheduleClean: assign({ nextCleanAt: ({ context, system }) => now(system) + context.autoCleanIntervalMs }),
    countError: assign({
      errors: ({ context }) => context.errors + 1,
      lastError: (_, params: { error: unknown }) => errorText(params.error),
    }),
  },
}).createMachine({
  id: 'deliveryLoop',
  context: ({ input }) => ({
    loopIntervalMs: input?.loopIntervalMs ?? 3000,
    autoCleanIntervalMs: input?.autoCleanIntervalMs ?? 3_600_000,
    nextScanAt: 0,
    nextCleanAt: 0,
    backlog: false,
    scans: 0,
    picked: 0,
    cleaned: 0,
    errors: 0,
    lastError: null,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: { 'loop.start': 'running', 'loop.close': 'closing' },
    },
    running: {
      tags: ['ready'],
      type: 'parallel',
      on: { 'loop.close': 'closing' },
      states: {
        scan: {
          initial: 'scanning',
          states: {
            scanning: {
              invoke: {
                id: 'scan',
                src: 'scan',
                onDone: {
                  target: 'waiting',
                  actions: [
                    'scheduleScan',
                    assign({
                      scans: ({ context }) => context.scans + 1,
                      picked: ({ context, event }) => context.picked + event.output.picked,
                      backlog: ({ event }) => event.output.more,
                    }),
                  ],
                },
                onError: { target: 'waiting', actions: ['scheduleScan', { type: 'countError', params: ({ event }) => ({ error: event.error }) }] },
              },
            },
            waiting: {
              after: { scanDue: 'scanning' },
              on: { 'loop.wake': 'scanning' },
            },
          },
        },
        clean: {
          initial: 'waiting',
          entry: 'scheduleClean',
          states: {
            waiting: { after: { cleanDue: 'cleaning' } },
            cleaning: {
              invoke: {
                id: 'clean',
                src: 'clean',
                onDone: { target: 'waiting', actions: ['scheduleClean', assign({ cleaned: ({ context, event }) => context.cleaned + event.output })] },
                onError: { target: 'waiting', actions: ['scheduleClean', { type: 'countError', params: ({ event }) => ({ error: event.error }) }] },
              },
            },
          },
        },
      },
    },
    closing: {
      invoke: {
        id: 'drain',
        src: 'drain',
        onDone: 'closed',
        onError: { target: 'closed', actions: { type: 'countError', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    closed: { type: 'final' },
  },
});
