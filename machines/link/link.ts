import { assign, emit, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { backoffDelay } from '../backoff.js';
import { msUntil, now } from '../clock.js';

/**
 * The link: an agent's one WebSocket to its agent server, as a chart.
 *
 *   disconnected → connection.connecting → connection.handshaking (hello) → connection.open (ping)
 *   → backoff (exponential, full jitter, capped) → connection … ; reject → rejected (terminal);
 *   close → connection.closing (flush, wait for acks, bounded) → closed.
 *
 * The chart owns state changes only. Reports written while open never pass through it (the facade
 * writes them to the socket directly); a dead socket, a timeout or a reject does, and every such
 * transition records a human reason (close code, timeout, reject reason) in `context.reason`.
 * Deadlines are absolute times in context, so a restored snapshot re-arms its timers.
 */
export interface LinkChartInput {
  serverAddress: string;
  agentId: string;
  /** Time to open the TCP/WebSocket connection. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Time from `hello` to `welcome`. Default 5 000 ms (seed: HandshakeTimeoutSecond 5). */
  handshakeTimeoutMs?: number;
  /** Ping period while open. Default 30 000 ms. */
  pingIntervalMs?: number;
  /** Pings in a row without a pong before the link is declared dead. Default 2. */
  maxMissedPongs?: number;
  /** Reconnect backoff: first delay. Default 500 ms. */
  reconnectInitialMs?: number;
  /** Reconnect backoff: cap. Default 30 000 ms. */
  reconnectMaxMs?: number;
  /** Jitter of the reconnect delay. Default `full` (spreads a fleet's reconnect storm). */
  reconnectJitter?: 'full' | 'equal' | 'none';
  /** How long `close()` waits for log flushes and acks. Default 5 000 ms. */
  closeTimeoutMs?: number;
}

export interface LinkContext {
  serverAddress: string;
  agentId: string;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  pingIntervalMs: number;
  maxMissedPongs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  reconnectJitter: 'full' | 'equal' | 'none';
  closeTimeoutMs: number;
  /** The deadline of the current timed state (connect, handshake, next ping, retry, close). */
  deadline: number;
  /** Reconnect attempts since the link was last open. */
  attempt: number;
  missedPongs: number;
  /** Why the link is where it is: `connect requested`, `socket closed 1006`, `ping.timeout`, … */
  reason: string;
  closeCode: number | null;
  /** Times the link reached `open`. */
  opens: number;
  /** Notices (bad frames, drops, warnings) told to the host. */
  notices: number;
}

export type LinkEvent =
  | { type: 'link.connect' }
  | { type: 'link.close' }
  | { type: 'socket.opened' }
  | { type: 'socket.closed'; code: number; reason: string }
  | { type: 'socket.error'; message: string }
  | { type: 'frame.welcome' }
  | { type: 'frame.reject'; reason: string }
  | { type: 'frame.pong' }
  | { type: 'frame.invalid'; problem: string; message: string }
  | { type: 'report.dropped'; reason: string; id: string }
  | { type: 'queue.warning'; size: number; threshold: number };

/** Commands the chart sends to its `socket` actor. */
export type LinkSocketCommand = { type: 'socket.hello' } | { type: 'socket.ping' };

export type LinkEmitted =
  | { type: 'link.open'; attempt: number }
  | { type: 'link.down'; reason: string; closeCode: number | null; retryInMs: number }
  | { type: 'link.rejected'; reason: string }
  | { type: 'link.closed'; reason: string }
  | { type: 'frame.invalid'; problem: string; message: string }
  | { type: 'report.dropped'; reason: string; id: string }
  | { type: 'queue.warning'; size: number; threshold: number };

export interface LinkSocketInput {
  serverAddress: string;
}

const toBackoff = (reason: string) => ({
  target: '#link.backoff' as const,
  actions: { type: 'because' as const, params: { reason } },
});

export const linkMachine = setup({
  types: {
    input: {} as LinkChartInput,
    context: {} as LinkContext,
    events: {} as LinkEvent,
    emitted: {} as LinkEmitted,
  },
  actors: {
    socket: fromCallback<LinkSocketCommand, LinkSocketInput>(() => {
      throw new Error('not provided: socket');
    }),
    drain: fromPromise<void, void>(() => {
      throw new Error('not provided: drain');
    }),
  },
  delays: {
    deadline: ({ context, system }) => msUntil(system, context.deadline),
  },
  guards: {
    pongOverdue: ({ context }) => context.missedPongs >= context.maxMissedPongs,
  },
  actions: {
    armDeadline: assign({
      deadline: ({ system }, ms: number) => now(system) + ms,
    }),
    schedulePing: assign({ deadline: ({ context, system }) => now(system) + context.pingIntervalMs }),
    scheduleRetry: assign(({ context, system }) => {
      const attempt = context.attempt + 1;
      const delay = backoffDelay(attempt, {
        initialMs: context.reconnectInitialMs,
        maxMs: context.reconnectMaxMs,
        jitter: context.reconnectJitter,
      });
      return { attempt, deadline: now(system) + delay };
    }),
    emitDown: emit(({ context, system }) => ({
      type: 'link.down' as const,
      reason: context.reason,
      closeCode: context.closeCode,
      retryInMs: msUntil(system, context.deadline),
    })),
    emitClosed: emit(({ context }) => ({ type: 'link.closed' as const, reason: context.reason })),
    countNotice: assign({ notices: ({ context }) => context.notices + 1 }),
    closeRequested: assign({ reason: 'close requested', closeCode: null }),
    because: assign((_, params: { reason: string }) => ({ reason: params.reason, closeCode: null })),
  },
}).createMachine({
  id: 'link',
  context: ({ input }) => ({
    serverAddress: input.serverAddress,
    agentId: input.agentId,
    connectTimeoutMs: input.connectTimeoutMs ?? 10_000,
    handshakeTimeoutMs: input.handshakeTimeoutMs ?? 5_000,
    pingIntervalMs: input.pingIntervalMs ?? 30_000,
    maxMissedPongs: input.maxMissedPongs ?? 2,
    reconnectInitialMs: input.reconnectInitialMs ?? 500,
    reconnectMaxMs: input.reconnectMaxMs ?? 30_000,
    reconnectJitter: input.reconnectJitter ?? 'full',
    closeTimeoutMs: input.closeTimeoutMs ?? 5_000,
    deadline: 0,
    attempt: 0,
    missedPongs: 0,
    reason: 'created',
    closeCode: null,
    opens: 0,
    notices: 0,
  }),
  // Notices from the facade (bad frames, dropped reports, a filling disk queue): counted there,
  // told to the host here, in any state.
  on: {
    'frame.invalid': {
      actions: ['countNotice', emit(({ event }) => ({ type: 'frame.invalid' as const, problem: event.problem, message: event.message }))],
    },
    'report.dropped': {
      actions: ['countNotice', emit(({ event }) => ({ type: 'report.dropped' as const, reason: event.reason, id: event.id }))],
    },
    'queue.warning': {
      actions: ['countNotice', emit(({ event }) => ({ type: 'queue.warning' as const, size: event.size, threshold: event.threshold }))],
    },
  },
  initial: 'disconnected',
  states: {
    disconnected: {
      on: {
        'link.connect': { target: 'connection', actions: assign({ reason: 'connect requested' }) },
        'link.close': { target: 'closed', actions: 'closeRequested' },
      },
    },
    connection: {
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({ serverAddress: context.serverAddress }),
        onError: {
          target: 'backoff',
          actions: assign({ reason: ({ event }) => `socket failed: ${String((event.error as Error)?.message ?? event.error)}`, closeCode: null }),
        },
      },
      on: {
        'socket.closed': {
          target: 'backoff',
          actions: assign({
            reason: ({ event }) => `socket closed ${event.code}${event.reason ? `: ${event.reason}` : ''}`,
            closeCode: ({ event }) => event.code,
          }),
        },
        'socket.error': {
          target: 'backoff',
          actions: assign({ reason: ({ event }) => `socket error: ${event.message}`, closeCode: null }),
        },
        'link.close': { target: 'closed', actions: 'closeRequested' },
      },
      initial: 'connecting',
      states: {
        connecting: {
          entry: { type: 'armDeadline', params: ({ context }) => context.connectTimeoutMs },
          after: { deadline: toBackoff('connect.timeout') },
          on: { 'socket.opened': 'handshaking' },
        },
        handshaking: {
          entry: [
            { type: 'armDeadline', params: ({ context }) => context.handshakeTimeoutMs },
            sendTo('socket', { type: 'socket.hello' }),
          ],
          after: { deadline: toBackoff('handshake.timeout') },
          on: {
            'frame.welcome': {
              target: 'open',
              actions: [
                emit(({ context }) => ({ type: 'link.open' as const, attempt: context.attempt })),
                assign({ attempt: 0, missedPongs: 0, reason: 'welcome', closeCode: null, opens: ({ context }) => context.opens + 1 }),
                'schedulePing',
              ],
            },
            'frame.reject': {
              target: '#link.rejected',
              actions: assign({ reason: ({ event }) => `rejected: ${event.reason}`, closeCode: null }),
            },
          },
        },
        open: {
          tags: ['ready'],
          after: {
            deadline: [
              { guard: 'pongOverdue', ...toBackoff('ping.timeout') },
              {
                target: 'open',
                reenter: true,
                actions: [
                  sendTo('socket', { type: 'socket.ping' }),
                  assign({ missedPongs: ({ context }) => context.missedPongs + 1 }),
                  'schedulePing',
                ],
              },
            ],
          },
          on: {
            'frame.pong': { actions: assign({ missedPongs: 0 }) },
            'link.close': {
              target: 'closing',
              actions: ['closeRequested', { type: 'armDeadline', params: ({ context }) => context.closeTimeoutMs }],
            },
          },
        },
        closing: {
          invoke: {
            id: 'drain',
            src: 'drain',
            onDone: { target: '#link.closed', actions: assign({ reason: 'closed: drained' }) },
            onError: { target: '#link.closed', actions: assign({ reason: 'closed: drain failed' }) },
          },
          after: { deadline: { target: '#link.closed', actions: assign({ reason: 'closed: close.timeout' }) } },
          on: {
            'socket.closed': { target: '#link.closed', actions: assign({ reason: 'closed: socket closed while draining' }) },
            'socket.error': { target: '#link.closed', actions: assign({ reason: 'closed: socket error while draining' }) },
            // A second close does not wait: the unacked reports stay queued (on disk when configured).
            'link.close': { target: '#link.closed', actions: assign({ reason: 'closed: forced' }) },
          },
        },
      },
    },
    backoff: {
      entry: ['scheduleRetry', 'emitDown'],
      after: { deadline: { target: 'connection', actions: assign({ reason: 'reconnect' }) } },
      on: { 'link.close': { target: 'closed', actions: 'closeRequested' } },
    },
    rejected: {
      type: 'final',
      entry: emit(({ context }) => ({ type: 'link.rejected' as const, reason: context.reason })),
    },
    closed: {
      type: 'final',
      entry: 'emitClosed',
    },
  },
});
