import { ConfigError } from '../../errors/base.js';
import type { RunnerOptions } from '../runner.js';

/** Refuses options that cannot work, before anything starts (a typed ConfigError, never a crash later). */
export function validateRunnerOptions(options: RunnerOptions): void {
  for (const key of ['threads', 'pullBatchSize', 'needPullThresholdRatio'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new ConfigError(`${key} must be an integer >= 1`, { [key]: value });
  }
  for (const key of ['aliveTtlMs', 'heartbeatEveryMs', 'idlePollMs', 'drainTimeoutMs', 'highWeight'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new ConfigError(`${key} must be a number >= 0`, { [key]: value });
  }
  if (options.heartbeatEveryMs !== undefined && options.heartbeatEveryMs >= (options.aliveTtlMs ?? 30_000)) {
    throw new ConfigError('heartbeatEveryMs must be shorter than aliveTtlMs, or live runners are recovered as dead', {
      heartbeatEveryMs: options.heartbeatEveryMs,
      aliveTtlMs: options.aliveTtlMs ?? 30_000,
    });
  }
}
