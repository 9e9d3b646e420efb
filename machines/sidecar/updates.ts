import { backoffDelay } from '../backoff.js';
import { nextRandom } from './random.js';
import type { SidecarContext, SidecarErrorInfo, SidecarEvent, WatchEventData } from './options.js';

/**
 * The sidecar chart's context updates, as pure functions of (context, event, now): the chart's
 * `assign` actions call them with the clock's time, so the arithmetic is testable on its own and
 * the chart file stays a chart.
 */
type Update = Partial<SidecarContext>;
export type StageFailure = NonNullable<SidecarContext['runError']>['stage'];

/** setTimeout's ceiling: "disabled" timers wait this long (~24.8 days) instead of overflowing. */
export const NEVER_MS = 2 ** 31 - 1;

/**
 * A stage's failure as plain data. Any value can be thrown at a stage (the host's serve and
 * shutdown are the host's code): one that cannot be printed (`Object.create(null)`, a throwing
 * getter) must not throw here, inside an `assign`: that errored the whole chart, skipping the
 * drain and the deregister, and `run()` resolved as if all went well.
 */
export function errorInfo(kind: string, error: unknown): SidecarErrorInfo {
  try {
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return { kind, code: typeof code === 'string' ? code : 'SW_UNKNOWN', message: typeof message === 'string' ? message : String(error) };
    }
    return { kind, code: 'SW_UNKNOWN', message: String(error) };
  } catch {
    return { kind, code: 'SW_UNKNOWN', message: '(a thrown value that cannot be printed)' };
  }
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

/** When the stream counts as stale, for a window starting now. */
const staleAt = (context: SidecarContext, now: number) => now + (context.timings.staleAfterMs > 0 ? context.timings.staleAfterMs : NEVER_MS);

/**
 * A watch frame. `connected` and `heartbeat` also move the staleness deadline and mark the link
 * `heard` (read when the staleness timer fires, see the chart's `liveness`).
 */
export function recordEvent(context: SidecarContext, event: SidecarEvent, now: number): Update {
  if (event.type !== 'watch.connected' && event.type !== 'watch.heartbeat' && event.type !== 'watch.disconnected') return {};
  const seen = {
    last: { ...context.last, eventType: event.type.slice('watch.'.length), eventAt: now },
    lastEventId: event.data.id ?? context.lastEventId,
    sidecar: report(event.data, context.sidecar),
  };
  return event.type === 'watch.disconnected' ? seen : { ...seen, heard: true, deadlines: { ...context.deadlines, staleAt: staleAt(context, now) } };
}

export function markConnected(context: SidecarContext, now: number): Update {
  return { connected: true, attempts: { ...context.attempts, reconnect: 0 }, last: { ...context.last, connectedAt: now } };
}

/**
 * A `connected` frame: `recordEvent` then `markConnected`, as one update. The chart applies it as a
 * single `assign`: XState clones the whole snapshot per `assign` action (and re-derives the state
 * value), and this transition runs on every reconnect.
 */
export function recordConnected(context: SidecarContext, event: SidecarEvent, now: number): Update {
  const seen = recordEvent(context, event, now);
  return { ...seen, ...markConnected({ ...context, ...seen }, now) };
}

/** A new connection's staleness window, from now. */
export function armStale(context: SidecarContext, now: number): Update {
  return { heard: false, deadlines: { ...context.deadlines, staleAt: staleAt(context, now) } };
}

/** Leaving `open` (or stopping the watch): only a link that was up counts as a disconnect, and a deliberate stop is not one. */
export function leaveOpen(context: SidecarContext, event: SidecarEvent, now: number): Update {
  const dropped = context.connected && event.type !== 'watch.stop';
  return {
    connected: false,
    deadlines: { ...context.deadlines, staleAt: null },
    counts: dropped ? { ...context.counts, disconnects: context.counts.disconnects + 1 } : context.counts,
    last: dropped ? { ...context.last, disconnectedAt: now } : context.last,
  };
}

/** Why the link went down: the frame or failure that ended it, or the staleness timer. */
export type LinkDrop = 'failed' | 'disconnected' | 'stale';

/**
 * `open` → `disconnected`: `leaveOpen`, then what ended the link (`recordWatchError`, `recordEvent`
 * or `recordStale`), then `scheduleReconnect`, in that order, as one update. The chart applies it as
 * a single `assign` on the transition (XState clones the snapshot per `assign`); this runs on every
 * reconnect.
 */
export function dropLink(context: SidecarContext, cause: LinkDrop, event: SidecarEvent, now: number): SidecarContext {
  let next: SidecarContext = { ...context, ...leaveOpen(context, event, now) };
  const recorded =
    cause === 'failed' ? recordWatchError(next, event, now) : cause === 'disconnected' ? recordEvent(next, event, now) : recordStale(next, now);
  next = { ...next, ...recorded };
  return { ...next, ...scheduleReconnect(next, now) };
}

/** Backoff starts at 1 ms at least: from 0 it stays 0 however often it doubles (a hot retry loop). */
const MIN_BACKOFF_MS = 1;

/** The next reconnect: the stream's `retry:` or the configured interval, doubling per failed attempt, equal jitter. */
export function scheduleReconnect(context: SidecarContext, now: number): Update {
  const attempt = context.attempts.reconnect + 1;
  const initialMs = Math.max(MIN_BACKOFF_MS, context.serverRetryMs ?? context.timings.reconnectIntervalMs);
  const { value, state } = nextRandom(context.random);
  const delay = backoffDelay(attempt, { initialMs, maxMs: Math.max(initialMs, context.timings.reconnectMaxMs), jitter: 'equal' }, () => value);
  return { attempts: { ...context.attempts, reconnect: attempt }, random: state, deadlines: { ...context.deadlines, reconnectAt: now + delay } };
}

export function scheduleRegisterRetry(context: SidecarContext, now: number): Update {
  const { registerRetryMaxMs } = context.timings;
  const initialMs = Math.max(MIN_BACKOFF_MS, context.timings.registerRetryInitialMs);
  const { value, state } = nextRandom(context.random);
  const delay = backoffDelay(context.attempts.register, { initialMs, maxMs: Math.max(initialMs, registerRetryMaxMs), jitter: 'equal' }, () => value);
  return { random: state, deadlines: { ...context.deadlines, registerRetryAt: now + delay } };
}

export function recordWatchError(context: SidecarContext, event: SidecarEvent, now: number): Update {
  if (event.type !== 'watch.failed' && event.type !== 'watch.invalid') return {};
  const { counts } = context;
  return {
    lastError: { ...event.error, at: now },
    counts: event.type === 'watch.failed' ? { ...counts, watchErrors: counts.watchErrors + 1 } : { ...counts, invalidEvents: counts.invalidEvents + 1 },
  };
}

export function recordStale(context: SidecarContext, now: number): Update {
  const message = `no watch event for ${context.timings.staleAfterMs} ms: treating the stream as disconnected`;
  return { lastError: { kind: 'watch_stale', code: 'SW_WATCH_STALE', message, at: now } };
}

export function recordRegistered(context: SidecarContext, now: number): Update {
  return {
    registered: true,
    attempts: { ...context.attempts, register: 0 },
    deadlines: { ...context.deadlines, registerRetryAt: null },
    counts: { ...context.counts, registerReplays: context.counts.registerReplays + 1 },
    last: { ...context.last, registeredAt: now },
  };
}

export function recordRegisterFailure(context: SidecarContext, error: unknown, now: number): Update {
  const cause = errorInfo('register_replay', error);
  return {
    registered: false,
    attempts: { ...context.attempts, register: context.attempts.register + 1 },
    counts: { ...context.counts, registerReplayFailures: context.counts.registerReplayFailures + 1 },
    lastError: {
      kind: 'register_replay',
      code: 'SW_REGISTER_REPLAY',
      message: `register replay of ${context.service.name}:${context.service.port} failed: ${cause.message}`,
      at: now,
    },
  };
}

export function armReadyWait(context: SidecarContext, now: number): Update {
  const wait = context.timings.readyWaitMs > 0 ? context.timings.readyWaitMs : NEVER_MS;
  return { deadlines: { ...context.deadlines, readyAt: now + wait } };
}

export function armGrace(context: SidecarContext, now: number): Update {
  return { deadlines: { ...context.deadlines, graceUntil: now + context.timings.gracePeriodMs } };
}

/** A stage failed: recorded as the last error; the first one becomes the run's error. */
export function recordStageFailure(context: SidecarContext, stage: StageFailure, error: unknown, now: number): Update {
  const failure =
    stage === 'lifecycle'
      ? {
          code: 'SW_LIFECYCLE_RUN',
          message: `not ready to serve after ${context.timings.readyWaitMs} ms: ${
            context.registered ? 'the sidecar-agent did not report ready' : 'no register succeeded'
          }`,
        }
      : errorInfo(stage, error);
  return {
    lastError: { kind: stage, code: failure.code, message: failure.message, at: now },
    runError: context.runError ?? { stage, code: failure.code, message: failure.message },
  };
}
