import type { Logger } from '../../adapters/logger.js';
import type { WebSocketFactory } from '../../adapters/link/websocket.js';
import type { HostEnv } from '../host.js';
import { LinkConfigError } from '../../errors/link.js';

/**
 * Options of `createLink`. Names follow the seed's fields in TypeScript style; defaults are the
 * seed's unless noted.
 */
export interface LinkOptions extends Partial<HostEnv> {
  /** `ws://` or `wss://` URL of the agent server. Required. */
  serverAddress: string;
  /** Required. */
  agentId: string;
  /** Required. Sent in `hello` only; never kept in chart context (it would show in the inspector). */
  agentKey: string;
  /** Ping period while open. Default 30 000 ms (the seed requires it and names no default). */
  pingIntervalMs?: number;
  /** Pings in a row without a pong before the link is dead. Default 2. */
  maxMissedPongs?: number;
  /** `hello` → `welcome`. Default 5 000 ms. */
  handshakeTimeoutMs?: number;
  /** Opening the socket. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Reconnect backoff, exponential with full jitter: first delay. Default 500 ms. */
  reconnectInitialMs?: number;
  /** Reconnect backoff cap. Default 30 000 ms. */
  reconnectMaxMs?: number;
  /** Jitter of reconnect delays. Default `full`. */
  reconnectJitter?: 'full' | 'equal' | 'none';
  /** How long `close()` flushes and waits for acks. Default 5 000 ms. */
  closeTimeoutMs?: number;
  /**
   * Directory of the retry queue's write-ahead log (`journal.log`). The seed's default is
   * `data/retry-queue`; here the default is none (memory only) so a library never writes into a
   * host's working directory unasked. Set it for reports that survive a crash or a restart.
   */
  retryQueueDir?: string;
  /**
   * When a report is on disk. `batch` (default with `retryQueueDir`): written to the log at the
   * end of the tick it was made in (one write for all of the tick's), before it is sent, and
   * fdatasync'd at most `durabilityWindowMs` later, one sync per batch. `always`: as `batch`, but
   * sent only once that fdatasync returned. `none` (the only choice without a directory, and
   * refused with one): memory only. Loss windows: docs/link.md.
   */
  durability?: Durability;
  /** Durability `batch`: longest a written report waits for its fdatasync. Default 5 ms. */
  durabilityWindowMs?: number;
  /** Messages the memory queue holds. Default 1 000. */
  retryQueueMemorySize?: number;
  /** Reports queued on disk only (their frame read back from the log), at most. Default 10 000. */
  retryQueueDiskSize?: number;
  /** Re-sends of one report before it is dropped. Default 3. */
  retryQueueMaxRetries?: number;
  /** Age after which a queued report is dropped. Default 24 h. */
  retryQueueDiskTtlMs?: number;
  /** Disk queue size that emits `queue.warning`. Default 5 000. */
  retryQueueWarningThreshold?: number;
  /** Period of loading disk messages for re-sending while open. Default 500 ms. */
  retryQueueLoadIntervalMs?: number;
  /** Disk messages loaded per period. Default 100. */
  retryQueueBatchLoadSize?: number;
  /** Period of dropping reports past their TTL. Default 1 h. */
  retryQueueCleanupIntervalMs?: number;
  /**
   * Reports sent and not yet acked, at most; more queue until acks make room (bounds memory when
   * a server is up but slow to ack). Default 65 536 (not in the seed).
   */
  maxInFlight?: number;
  /** Log buffer: bytes that trigger a flush. Default 4 096. */
  logBufferSize?: number;
  /** Log buffer: longest a line waits. Default 1 000 ms. */
  logFlushIntervalMs?: number;
  /**
   * Largest frame accepted from the server, in bytes. A bigger one is counted (`frame_too_large`),
   * closes the connection (the rest of it cannot be skipped) and the link reconnects. Default
   * 1 MiB (1 048 576; not in the seed).
   */
  maxPayload?: number;
  /** The WebSocket port. Default: over `ws`. */
  socketFactory?: WebSocketFactory;
}

export type Durability = 'none' | 'batch' | 'always';

export type ResolvedLinkOptions = Required<Omit<LinkOptions, 'retryQueueDir' | 'socketFactory' | 'inspect' | 'clock' | 'id'>> &
  Pick<LinkOptions, 'retryQueueDir' | 'socketFactory' | 'inspect' | 'clock'> & { id: string; logger: Logger };

const defaults = {
  pingIntervalMs: 30_000,
  maxMissedPongs: 2,
  handshakeTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
  reconnectInitialMs: 500,
  reconnectMaxMs: 30_000,
  reconnectJitter: 'full',
  closeTimeoutMs: 5_000,
  retryQueueMemorySize: 1_000,
  retryQueueDiskSize: 10_000,
  retryQueueMaxRetries: 3,
  retryQueueDiskTtlMs: 24 * 60 * 60 * 1000,
  retryQueueWarningThreshold: 5_000,
  retryQueueLoadIntervalMs: 500,
  retryQueueBatchLoadSize: 100,
  retryQueueCleanupIntervalMs: 60 * 60 * 1000,
  maxInFlight: 65_536,
  logBufferSize: 4_096,
  logFlushIntervalMs: 1_000,
  durabilityWindowMs: 5,
  maxPayload: 1 << 20,
} as const;

/** Checks everything up front: a link that cannot work fails at `createLink`, not at 3 a.m. */
export function resolveLinkOptions(options: LinkOptions, fallbackLogger: Logger): ResolvedLinkOptions {
  if (typeof options !== 'object' || options === null) throw new LinkConfigError('options are required');
  for (const field of ['serverAddress', 'agentId', 'agentKey'] as const) {
    if (typeof options[field] !== 'string' || options[field].length === 0) {
      throw new LinkConfigError(`${field} is required`, { field });
    }
  }
  let url: URL;
  try {
    url = new URL(options.serverAddress);
  } catch {
    throw new LinkConfigError(`serverAddress is not a URL: ${options.serverAddress}`, { field: 'serverAddress' });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new LinkConfigError(`serverAddress must be ws:// or wss://, got ${url.protocol}`, { field: 'serverAddress' });
  }
  const resolved = { ...defaults, ...stripUndefined(options) } as ResolvedLinkOptions;
  for (const [field, value] of Object.entries(resolved)) {
    if (field in defaults && typeof (defaults as Record<string, unknown>)[field] === 'number') {
      const minimum = field === 'retryQueueMaxRetries' ? 0 : 1;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
        throw new LinkConfigError(`${field} must be a number >= ${minimum}, got ${String(value)}`, { field });
      }
    }
  }
  if (!['full', 'equal', 'none'].includes(resolved.reconnectJitter)) {
    throw new LinkConfigError(`reconnectJitter must be full, equal or none`, { field: 'reconnectJitter' });
  }
  resolved.durability = options.durability ?? (options.retryQueueDir === undefined ? 'none' : 'batch');
  if (!['none', 'batch', 'always'].includes(resolved.durability)) {
    throw new LinkConfigError(`durability must be none, batch or always`, { field: 'durability' });
  }
  if ((resolved.durability === 'none') !== (options.retryQueueDir === undefined)) {
    throw new LinkConfigError(
      resolved.durability === 'none'
        ? `durability 'none' keeps reports in memory only: drop retryQueueDir, or choose 'batch' or 'always'`
        : `durability '${resolved.durability}' needs retryQueueDir (where the log goes)`,
      { field: 'durability' },
    );
  }
  resolved.id = options.id ?? `link:${options.agentId}`;
  resolved.logger = options.logger ?? fallbackLogger;
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
