import { defaultSidecarPaths, type SidecarPaths } from '../../adapters/sidecar/types.js';
import { ConfigError, type StatewireError } from '../../errors/base.js';
import { formatGoDuration, toMs } from './duration.js';
import type { GrpcServiceLike, ServiceOptions } from './node.js';

/**
 * How a service runs next to its sidecar-agent (the seed's SidecarAgentConfig). Durations are
 * milliseconds; `gracePeriod` also takes a Go duration string since it travels as one.
 */
export interface SidecarAgentConfig {
  /** The agent's admin address. Default `http://127.0.0.1:15010` (seed DefaultAdminBaseURL). */
  baseUrl: string;
  /** The SSE watch URL. Default `baseUrl` + `paths.watch`. */
  watchUrl?: string;
  /** Default `/watch`, `/register`, `/drain`, `/deregister`. */
  paths: SidecarPaths;
  /** Wait between drain and deregister, sent as `grace_period`. Default `"10s"`. */
  gracePeriod: string | number;
  /** Register, drain and deregister timeout; also the watch's connect timeout. Default 3000 (seed). */
  requestTimeoutMs: number;
  /** Pause before a watch reconnect, jittered [½, 1]×; `retry:` from the stream replaces it. Default 1000 (seed). */
  reconnectIntervalMs: number;
  /** Cap of the reconnect pause while attempts keep failing. Default 30 000. */
  reconnectMaxMs: number;
  /** No `connected`/`heartbeat` for this long counts as a disconnect. Default 30 000; 0 disables. */
  staleAfterMs: number;
  /** `run()`: longest wait for ready + first register before serving. Default 30 000; 0 waits forever. */
  readyWaitMs: number;
  /** First pause before retrying a failed register replay. Default 500. */
  registerRetryInitialMs: number;
  /** Cap of the register retry pause. Default 30 000. */
  registerRetryMaxMs: number;
  /** gRPC service definitions, for the node's `methods` and `proto_count` (the seed's RawServices). */
  rawServices?: readonly GrpcServiceLike[] | Record<string, GrpcServiceLike>;
  /** Every asynchronous error (watch, replay, run stages), as it happens. Must not throw. */
  onError?: (error: StatewireError) => void;
  /** The service's blocking entry point; `run()` serves it. Resolve (or reject) when it stops. Default: wait for shutdown. */
  serve?: (signal: AbortSignal) => Promise<void> | void;
  /** The service's graceful stop, called before the agent drains. */
  shutdown?: () => Promise<void> | void;
  /** Jitter seed (repeatable delays in tests). Default random. */
  seed?: number;
}

/** The seed's DefaultSidecarAgentConfig: every default, pointed at `baseUrl`. */
export function defaultSidecarAgentConfig(baseUrl = 'http://127.0.0.1:15010'): SidecarAgentConfig {
  return {
    baseUrl,
    paths: { ...defaultSidecarPaths },
    gracePeriod: '10s',
    requestTimeoutMs: 3000,
    reconnectIntervalMs: 1000,
    reconnectMaxMs: 30_000,
    staleAfterMs: 30_000,
    readyWaitMs: 30_000,
    registerRetryInitialMs: 500,
    registerRetryMaxMs: 30_000,
  };
}

export interface ResolvedSidecarConfig extends SidecarAgentConfig {
  watchUrl: string;
  gracePeriodMs: number;
  /** `gracePeriod` as the agent reads it. */
  gracePeriodText: string;
}

const msFields = ['requestTimeoutMs', 'reconnectIntervalMs', 'reconnectMaxMs', 'staleAfterMs', 'readyWaitMs', 'registerRetryInitialMs', 'registerRetryMaxMs'] as const;

/** Fills defaults and rejects what cannot work with a `ConfigError` naming the field. */
export function resolveSidecarConfig(service: ServiceOptions, config: Partial<SidecarAgentConfig> = {}): ResolvedSidecarConfig {
  const defaults = defaultSidecarAgentConfig(config.baseUrl);
  const merged: SidecarAgentConfig = { ...defaults, ...stripUndefined(config), paths: { ...defaults.paths, ...config.paths } };
  if (!service || typeof service !== 'object') throw new ConfigError('serviceOptions are required');
  if (!service.app?.id) throw new ConfigError('serviceOptions.app.id is required', { field: 'app.id' });
  if (!service.app.instanceId) throw new ConfigError('serviceOptions.app.instanceId is required', { field: 'app.instanceId' });
  if (!service.service?.name) throw new ConfigError('serviceOptions.service.name is required', { field: 'service.name' });
  if (!Number.isInteger(service.serverPort) || service.serverPort < 1 || service.serverPort > 65_535) {
    throw new ConfigError(`serviceOptions.serverPort must be a port number, got ${String(service.serverPort)}`, { field: 'serverPort' });
  }
  for (const field of msFields) {
    const value = merged[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`${field} must be a non-negative number of milliseconds, got ${String(value)}`, { field });
    }
  }
  const watchUrl = merged.watchUrl ?? `${merged.baseUrl.replace(/\/$/, '')}${merged.paths.watch}`;
  for (const [field, url] of [['baseUrl', merged.baseUrl], ['watchUrl', watchUrl]] as const) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new ConfigError(`${field} must be an http(s) URL, got "${url}"`, { field });
    }
  }
  const gracePeriodMs = toMs(merged.gracePeriod);
  if (!Number.isFinite(gracePeriodMs) || gracePeriodMs < 0) throw new ConfigError('gracePeriod must be a non-negative duration', { field: 'gracePeriod' });
  const gracePeriodText = typeof merged.gracePeriod === 'string' ? merged.gracePeriod.trim() : formatGoDuration(gracePeriodMs);
  return { ...merged, watchUrl, gracePeriodMs, gracePeriodText };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
