import { ConfigError } from '../../errors/base.js';

/**
 * Go duration strings (`time.ParseDuration`), since the seed's agent speaks them: the grace period
 * travels as `"10s"`. Parsing accepts what Go accepts for non-negative values ("1h2m", "1.5s",
 * "300ms", "0"); formatting writes whole seconds as "Ns" and anything else as "Nms".
 */
const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseGoDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (!match) throw new ConfigError(`"${text}" is not a duration (use Go's form: "10s", "1m30s", "500ms")`, { value: text });
    total += Number(match[1]) * unitMs[match[2]!]!;
    index = part.lastIndex;
  }
  if (index === 0) throw new ConfigError(`"${text}" is not a duration (use Go's form: "10s", "1m30s", "500ms")`, { value: text });
  return total;
}

export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

/** A duration option given as milliseconds or as a Go duration string, in milliseconds. */
export function toMs(value: number | string): number {
  return typeof value === 'number' ? value : parseGoDuration(value);
}
