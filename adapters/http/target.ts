/**
 * Origin and path of a URL as undici's dispatch API takes them, parsed once per URL: a process
 * talks to a handful of receivers (a watch reconnects to one for its whole life), and `new URL()`
 * per request was measurable on those paths. Bounded, oldest out first.
 */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_CACHED_TARGETS = 256;

/** Throws (as `new URL` does) on a malformed URL. */
export function dispatchTarget(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    if (targets.size >= MAX_CACHED_TARGETS) targets.delete(targets.keys().next().value!);
    targets.set(url, target);
  }
  return target;
}
