import { ConfigError } from '../../errors/base.js';

/**
 * The breaker's settings: what a caller may pass (BreakerInput), the seed's defaults, and the one
 * check that turns input into settings the chart can run on. The chart's context initializer and
 * every facade (createBreaker, createAgentClient, createCoordinator) call `breakerSettings`, so a
 * value is refused the same way wherever it enters, before an actor exists when a facade is used.
 */

/** Open when the failure rate over a rolling window passes a threshold, once the window holds enough calls. */
export interface SamplingInput {
  /** Failure rate, in percent, that the window must pass (strictly, as opossum and cockatiel do). Default 50. */
  thresholdPercent?: number;
  /** Calls the window must hold before its rate can open the circuit (opossum volumeThreshold). Default 10. */
  volumeThreshold?: number;
  /** Length of the rolling window. Default 10 000 ms. */
  windowMs?: number;
  /** Buckets the window rolls by (it forgets a bucket at a time); must divide windowMs. Default 10. */
  buckets?: number;
}

export interface BreakerInput {
  /** Name in errors, events and status (usually the endpoint). Default `breaker`. */
  name?: string;
  /**
   * Consecutive counted failures that open the circuit. Seed default 5. With `sampling` set and
   * this left out, only the sampling rule applies (0: no consecutive rule, only with `sampling`).
   */
  maxFailures?: number;
  /** How long the circuit stays open before a probe is let through. Seed default 60 000 ms. */
  timeoutMs?: number;
  /** Calls let through at once in halfOpen; the rest fail with ErrTooManyRequests. Default 1. */
  halfOpenMaxProbes?: number;
  /**
   * Per-call timeout: a call still running after this long is rejected with CallTimeoutError, its
   * AbortSignal aborted, and counted as a failure. Default 0 (none: the seed has none).
   */
  callTimeoutMs?: number;
  /** The sampling rule (failure rate over a rolling window), beside or instead of the consecutive one. Default: off. */
  sampling?: SamplingInput;
}

export interface SamplingSettings {
  thresholdPercent: number;
  volumeThreshold: number;
  windowMs: number;
  buckets: number;
}

export interface BreakerSettings {
  name: string;
  /** 0 when only the sampling rule applies. */
  maxFailures: number;
  timeoutMs: number;
  halfOpenMaxProbes: number;
  callTimeoutMs: number;
  sampling: SamplingSettings | null;
}

export const BREAKER_DEFAULTS = { name: 'breaker', maxFailures: 5, timeoutMs: 60_000, halfOpenMaxProbes: 1, callTimeoutMs: 0 } as const;

/** opossum's window (10 s in 10 buckets) and threshold (50 %); its volumeThreshold 0 would open on a first failure. */
export const SAMPLING_DEFAULTS = { thresholdPercent: 50, volumeThreshold: 10, windowMs: 10_000, buckets: 10 } as const;

/** setTimeout's limit: a longer delay fires at once (Node clamps it to 1 ms), so it is refused. */
const MAX_DELAY_MS = 2 ** 31 - 1;

type Rule = { integer: boolean; min: number; max: number };

function checked(field: string, value: unknown, fallback: number, rule: Rule): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && (rule.integer ? Number.isInteger(value) : Number.isFinite(value)) && value >= rule.min && value <= rule.max;
  if (!ok) {
    const kind = rule.integer ? 'an integer' : 'a number';
    throw new ConfigError(`breaker: ${field} must be ${kind} from ${rule.min} to ${rule.max}, got ${String(value)}`, { field, value: String(value) });
  }
  return value;
}

const ms = (max = MAX_DELAY_MS): Rule => ({ integer: false, min: 0, max });
const count = (min: number): Rule => ({ integer: true, min, max: Number.MAX_SAFE_INTEGER });

function samplingSettings(input: unknown): SamplingSettings | null {
  if (input === undefined) return null;
  if (typeof input !== 'object' || input === null) throw new ConfigError('breaker: sampling must be an object', { field: 'sampling' });
  const s = input as SamplingInput;
  // Below 100: a rate never passes 100 %, so such a rule could never open the circuit.
  const thresholdPercent = checked('sampling.thresholdPercent', s.thresholdPercent, SAMPLING_DEFAULTS.thresholdPercent, { integer: false, min: 0, max: 99.999 });
  const volumeThreshold = checked('sampling.volumeThreshold', s.volumeThreshold, SAMPLING_DEFAULTS.volumeThreshold, count(0));
  const windowMs = checked('sampling.windowMs', s.windowMs, SAMPLING_DEFAULTS.windowMs, { integer: true, min: 1, max: MAX_DELAY_MS });
  const buckets = checked('sampling.buckets', s.buckets, SAMPLING_DEFAULTS.buckets, { integer: true, min: 1, max: windowMs });
  // Whole-millisecond buckets keep bucket starts exact (no float drift in the window arithmetic).
  if (windowMs % buckets !== 0) throw new ConfigError(`breaker: sampling.buckets (${buckets}) must divide sampling.windowMs (${windowMs})`, { field: 'sampling.buckets' });
  return { thresholdPercent, volumeThreshold, windowMs, buckets };
}

/**
 * Input to settings, or a ConfigError naming the field. NaN, negative, fractional counts and
 * delays past setTimeout's limit are refused: each used to make a breaker that never opens, opens
 * on the first failure, or turns every call into a probe.
 */
export function breakerSettings(input: BreakerInput | undefined = {}): BreakerSettings {
  if (typeof input !== 'object' || input === null) throw new ConfigError('breaker: options must be an object', { field: 'options' });
  if (input.name !== undefined && (typeof input.name !== 'string' || input.name === '')) throw new ConfigError('breaker: name must be a non-empty string', { field: 'name' });
  const sampling = samplingSettings(input.sampling);
  const maxFailures = checked('maxFailures', input.maxFailures, sampling ? 0 : BREAKER_DEFAULTS.maxFailures, count(sampling ? 0 : 1));
  return {
    name: input.name ?? BREAKER_DEFAULTS.name,
    maxFailures,
    timeoutMs: checked('timeoutMs', input.timeoutMs, BREAKER_DEFAULTS.timeoutMs, ms()),
    halfOpenMaxProbes: checked('halfOpenMaxProbes', input.halfOpenMaxProbes, BREAKER_DEFAULTS.halfOpenMaxProbes, count(1)),
    callTimeoutMs: checked('callTimeoutMs', input.callTimeoutMs, BREAKER_DEFAULTS.callTimeoutMs, ms()),
    sampling,
  };
}
