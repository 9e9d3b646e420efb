/**
 * Input, context and events of the `sidecar` chart (machines/sidecar/sidecar.ts).
 *
 * Timings are milliseconds; defaults come from the seed (go-consul/agent) where it has them
 * (reconnect interval 1 s) and are statewire's own otherwise (documented per field).
 */
export interface SidecarInput {
  /** The registered service's name (for errors and status). */
  serviceName: string;
  /** The registered service's port (for errors and status). */
  servicePort: number;
  /** Pause before reconnecting the watch, before jitter (seed DefaultReconnectInterval). Default 1000. A `retry:` field from the stream replaces it. */
  reconnectIntervalMs?: number;
  /** Upper bound of the reconnect pause while reconnects keep failing. Default 30 000. */
  reconnectMaxMs?: number;
  /** A gap without `connected`/`heartbeat` longer than this counts as a disconnect. Default 30 000; 0 disables. */
  staleAfterMs?: number;
  /** How long `run()` waits, in stage lifecycle, for the sidecar to be ready and the first register to succeed. Default 30 000; 0 waits forever. */
  readyWaitMs?: number;
  /** First pause before retrying a failed register replay. Default 500. */
  registerRetryInitialMs?: number;
  /** Upper bound of the register retry pause. Default 30 000. */
  registerRetryMaxMs?: number;
  /** How long to wait between drain and deregister. Default 10 000. */
  gracePeriodMs?: number;
  /** Seed of the jitter generator (tests pass one for repeatable delays). Default: random. */
  seed?: number;
}

export interface SidecarTimings {
  reconnectIntervalMs: number;
  reconnectMaxMs: number;
  staleAfterMs: number;
  readyWaitMs: number;
  registerRetryInitialMs: number;
  registerRetryMaxMs: number;
  gracePeriodMs: number;
}

export const defaultSidecarTimings: Readonly<SidecarTimings> = Object.freeze({
  reconnectIntervalMs: 1000,
  reconnectMaxMs: 30_000,
  staleAfterMs: 30_000,
  readyWaitMs: 30_000,
  registerRetryInitialMs: 500,
  registerRetryMaxMs: 30_000,
  gracePeriodMs: 10_000,
});

/** A recorded error: plain data, so the context stays serialisable. */
export interface SidecarErrorInfo {
  /** What failed: `watch_http_status`, `watch_parse`, `watch_closed`, `watch_connection`, `watch_stale`, `register_replay`, or a run stage. */
  kind: string;
  code: string;
  message: string;
}

/** The fields of a watch event's JSON `data:` (any may be absent), plus the SSE `id:`. */
export interface WatchEventData {
  id?: string;
  message?: string;
  service?: string;
  status?: string;
  lifecycleState?: string;
  ready?: boolean;
  generatedAt?: string;
}

/** What the sidecar-agent last said about itself. */
export interface SidecarReport {
  /** False only when the agent said `ready: false`; an absent field counts as ready. */
  ready: boolean;
  status: string | null;
  lifecycleState: string | null;
  service: string | null;
  message: string | null;
  generatedAt: string | null;
}

/**
 * The chart's context. Kept to a few top-level groups on purpose: XState copies the context with
 * `Object.assign({}, …)` on every `assign`, and V8 leaves its fast path past ~16 keys (measured
 * here: ~1 µs at 12 keys, ~25 µs at 38), which the register-replay hot path pays per event.
 */
export interface SidecarContext {
  service: { name: string; port: number };
  timings: SidecarTimings;
  /** State of the jitter generator (machines/sidecar/random.ts). */
  random: number;
  /** Reconnect interval the stream asked for with `retry:`; null until it does. */
  serverRetryMs: number | null;
  /** The last SSE id seen: sent back as `Last-Event-ID` on reconnect. */
  lastEventId: string | null;
  sidecar: SidecarReport;
  connected: boolean;
  registered: boolean;
  /** A frame arrived since the staleness timer was last armed (it then re-arms instead of dropping the link). */
  heard: boolean;
  /** Consecutive failures: watch connections (reset by `connected`) and register replays (reset by success). */
  attempts: { reconnect: number; register: number };
  /** Absolute deadlines (clock time), so a restored snapshot re-arms exactly what was left. */
  deadlines: {
    staleAt: number | null;
    reconnectAt: number | null;
    registerRetryAt: number | null;
    readyAt: number | null;
    graceUntil: number | null;
  };
  /** When things last happened (clock time), and the last event's type. */
  last: {
    eventType: string | null;
    eventAt: number | null;
    connectedAt: number | null;
    disconnectedAt: number | null;
    registeredAt: number | null;
  };
  counts: {
    disconnects: number;
    watchErrors: number;
    invalidEvents: number;
    registerReplays: number;
    registerReplayFailures: number;
  };
  lastError: (SidecarErrorInfo & { at: number }) | null;
  /** The first stage failure of `run()`; the run still drains and deregisters. */
  runError: { stage: 'lifecycle' | 'serve' | 'shutdown' | 'agent_shutdown'; code: string; message: string } | null;
}

export type SidecarEvent =
  | { type: 'watch.connected'; data: WatchEventData }
  | { type: 'watch.heartbeat'; data: WatchEventData }
  | { type: 'watch.disconnected'; data: WatchEventData }
  /** A frame that could not be used (bad JSON, unknown type): counted, the stream continues. */
  | { type: 'watch.invalid'; error: SidecarErrorInfo }
  /** The stream's `retry:` field. */
  | { type: 'watch.retry'; retryMs: number }
  /** The stream ended or failed (non-200, network, closed by the server). */
  | { type: 'watch.failed'; error: SidecarErrorInfo }
  /** Internal: the run entered agent_shutdown, stop watching (a replay would undo the drain). */
  | { type: 'watch.stop' }
  /** Internal: the staleness timer's verdict (raised when it fires): wait out the window's rest / the link is stale. */
  | { type: 'liveness.rearm' }
  | { type: 'liveness.stale' }
  /** From the `registrar` actor: the replay the chart last requested succeeded / failed (stale outcomes are never sent). */
  | { type: 'register.done' }
  | { type: 'register.failed'; error: unknown }
  | { type: 'agent.run' }
  | { type: 'agent.shutdown' };

/** To the `registrar` actor: start a register replay (superseding any in flight) / drop the one in flight. */
export type RegistrarEvent = { type: 'register.request' } | { type: 'register.cancel' };

/** To the `watcher` actor: open the watch stream (closing any open one) / close it. */
export type WatcherEvent = { type: 'stream.open'; lastEventId: string | null } | { type: 'stream.close' };

export type SidecarEmitted =
  | { type: 'sidecar.registered'; count: number }
  | { type: 'sidecar.error'; error: SidecarErrorInfo }
  | { type: 'sidecar.stage'; stage: 'lifecycle' | 'serve' | 'shutdown' | 'agent_shutdown' | 'stopped' };

export function resolveTimings(input: SidecarInput): SidecarTimings {
  const timings = { ...defaultSidecarTimings };
  for (const key of Object.keys(timings) as Array<keyof SidecarTimings>) {
    const value = input[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) timings[key] = value;
  }
  return timings;
}
