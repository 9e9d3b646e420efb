import { StatewireError } from './base.js';

/**
 * Errors of the `sidecar` actor. Class names follow the seed (go-consul/agent) where it names them;
 * codes are stable, so hosts branch on `code`, not on messages.
 */

/** A cause's text; never throws (a host can throw anything, even a value `String()` refuses). */
function causeText(cause: unknown): string {
  try {
    return cause instanceof Error ? cause.message : String(cause);
  } catch {
    return '(a thrown value that cannot be printed)';
  }
}

/** The stages of `Agent.Run`, in order. A failure in any of them is an `AgentRunError`. */
export type AgentRunStage = 'lifecycle' | 'serve' | 'shutdown' | 'agent_shutdown';

/** `GET /watch` answered something other than 200. The watch reconnects. */
export class WatchHTTPStatusError extends StatewireError {
  readonly statusCode: number;
  constructor(statusCode: number, status: string, url: string) {
    super('SW_WATCH_HTTP_STATUS', `watch ${url} answered ${statusCode}${status ? ` ${status}` : ''}`, { statusCode, status, url });
    this.statusCode = statusCode;
  }
}

/** A watch event whose `data:` is not the expected JSON object. Counted; the stream continues. */
export class WatchEventParseError extends StatewireError {
  constructor(eventType: string, eventId: string | undefined, payload: string, reason: string) {
    // The payload is cut so one oversized garbage frame cannot bloat logs and status.
    super('SW_WATCH_EVENT_PARSE', `watch event "${eventType}" (id ${eventId ?? '-'}) is unusable: ${reason}`, {
      eventType,
      eventId: eventId ?? null,
      payload: payload.length > 256 ? `${payload.slice(0, 256)}…` : payload,
    });
  }
}

/** The sidecar-agent ended the watch stream (the seed's `ErrWatchStreamClosed`). The watch reconnects. */
export class WatchStreamClosedError extends StatewireError {
  constructor(url: string) {
    super('SW_WATCH_STREAM_CLOSED', `watch stream ${url} closed by the sidecar-agent`, { url });
  }
}

/** The watch stream broke below HTTP (refused, reset, timed out). The watch reconnects. */
export class WatchConnectionError extends StatewireError {
  constructor(url: string, cause: unknown) {
    super('SW_WATCH_CONNECTION', `watch ${url} failed: ${causeText(cause)}`, { url }, { cause });
  }
}

/** No event (not even a heartbeat) for longer than the staleness window: counted as a disconnect. */
export class WatchStaleError extends StatewireError {
  constructor(staleAfterMs: number) {
    super('SW_WATCH_STALE', `no watch event for ${staleAfterMs} ms: treating the stream as disconnected`, { staleAfterMs });
  }
}

/** A register, drain or deregister request that failed (non-2xx answer, timeout, connection). */
export class SidecarRequestError extends StatewireError {
  readonly statusCode: number | null;
  constructor(operation: string, url: string, statusCode: number | null, detail: string, cause?: unknown) {
    super('SW_SIDECAR_REQUEST', `${operation} ${url} failed: ${detail}`, { operation, url, statusCode }, { cause });
    this.statusCode = statusCode;
  }
}

/** Replaying register after a (re)connect failed. Retried with backoff and counted. */
export class RegisterReplayError extends StatewireError {
  constructor(serviceName: string, servicePort: number, cause: unknown) {
    super(
      'SW_REGISTER_REPLAY',
      `register replay of ${serviceName}:${servicePort} failed: ${causeText(cause)}`,
      { serviceName, servicePort },
      { cause },
    );
  }
}

/**
 * `serve` was not entered in time: the sidecar never reported ready or the first register never
 * succeeded. The message is the chart's (it knows which of the two was missing at that moment).
 */
export class LifecycleRunError extends StatewireError {
  constructor(readyWaitMs: number, message: string) {
    super('SW_LIFECYCLE_RUN', message, { readyWaitMs });
  }
}

/** `run()` failed in one of its stages; `stage` says which, `cause` the underlying error. */
export class AgentRunError extends StatewireError {
  readonly stage: AgentRunStage;
  constructor(stage: AgentRunStage, cause: unknown) {
    const text = causeText(cause);
    super('SW_AGENT_RUN', `sidecar agent failed in stage ${stage}: ${text}`, { stage }, { cause });
    this.stage = stage;
  }
}

/** `run()` on an agent that was stopped: a stopped agent never starts again (create a new one). */
export class SidecarStoppedError extends StatewireError {
  constructor() {
    super('SW_SIDECAR_STOPPED', 'the sidecar agent is stopped: create a new one to run again');
  }
}
