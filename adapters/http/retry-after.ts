/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the delay in ms from
 * `now`, or null when absent or unreadable (an unreadable header is ignored, not an error).
 * Capped at `maxMs` (default 24 h) so a receiver cannot park a task for years.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, now: number, maxMs = 86_400_000): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name.
    if (!/^[A-Za-z]/.test(text)) return null;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, maxMs);
}
