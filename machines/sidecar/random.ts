/**
 * A seeded pseudo-random step (mulberry32) for reconnect and retry jitter.
 *
 * Charts are pure and their context must stay serialisable, so the generator's state is a number
 * in context rather than a closure: the same seed gives the same delays in a test, and a restored
 * snapshot continues the sequence where it stopped.
 */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}
