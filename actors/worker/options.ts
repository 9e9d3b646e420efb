import { ConfigError } from '../../errors/base.js';
import type { RunnerOptions } from './api.js';
import { checkTimeout } from './timeout.js';

/** Refuses options that cannot work, before anything starts (a typed ConfigError, never a crash later). */
export function validateRunnerOptions(options: RunnerOptions): void {
  for (const key of ['threads', 'pullBatchSize', 'needPullThresholdRatio'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new ConfigError(`${key} must be an integer >= 1`, { [key]: value });
  }
  for (const key of ['aliveTtlMs', 'heartbeatEveryMs', 'idlePollMs', 'drainTimeoutMs', 'releaseTimeoutMs', 'highWeight'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new ConfigError(`${key} must be a number >= 0`, { [key]: value });
  }
  checkTimeout('jobTimeoutMs', options.jobTimeoutMs);
  // A zero period is a busy loop against the backend: every heartbeat or idle look at once again.
  const heartbeatEveryMs = options.heartbeatEveryMs ?? Math.floor((options.aliveTtlMs ?? 30_000) / 3);
  if (heartbeatEveryMs < 1) throw new ConfigError('the heartbeat period (heartbeatEveryMs, default aliveTtlMs / 3) must be at least 1 ms', { heartbeatEveryMs, aliveTtlMs: options.aliveTtlMs });
  if (options.idlePollMs !== undefined && options.idlePollMs < 1) throw new ConfigError('idlePollMs must be at least 1 ms (0 is a busy poll)', { idlePollMs: options.idlePollMs });
  if (options.heartbeatEveryMs !== undefined && options.heartbeatEveryMs >= (options.aliveTtlMs ?? 30_000)) {
    throw new ConfigError('heartbeatEveryMs must be shorter than aliveTtlMs, or live runners are recovered as dead', {
      heartbeatEveryMs: options.heartbeatEveryMs,
      aliveTtlMs: options.aliveTtlMs ?? 30_000,
    });
  }
}
