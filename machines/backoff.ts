/**
 * Retry delays, pure: the caller passes the attempt number and a random source, so charts stay
 * deterministic under test (pass `() => 0.5`) and every behaviour shares one definition.
 */
export interface BackoffOptions {
  /** Delay of the first retry before jitter. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /**
   * `full`: uniform in [0, delay] (AWS "full jitter": spreads a reconnect storm best);
   * `equal`: delay/2 + uniform in [0, delay/2]; `none`: exact. Default `full`.
   */
  jitter?: 'full' | 'equal' | 'none';
}

/** The delay before retry number `attempt` (1-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const exponent = Math.max(0, attempt - 1);
  const raw = Math.min(options.maxMs, options.initialMs * factor ** exponent);
  switch (options.jitter ?? 'full') {
    case 'none':
      return raw;
    case 'equal':
      return raw / 2 + random() * (raw / 2);
    case 'full':
      return random() * raw;
  }
}
