import { ConfigError } from './base.js';

// Unknown option keys, refused up front with the key that was probably meant. TypeScript's excess
// property check misses spreads, `as` casts and JavaScript callers, and a misspelled key
// (`deadlineMS`, `restart` as `restarts`) otherwise means its default is used without a word.
// Pure and dependency-free apart from ConfigError, so any facade can use it (it lives in
// errors/ so every layer may use it).

/** Keys longer than this are compared by their first MAX_KEY characters: the search stays bounded. */
const MAX_KEY = 64;

/**
 * The known key nearest to `key`: case-insensitive edit distance (insert, delete, substitute, swap
 * two neighbours); ties go to the earlier known key. Undefined only when `known` is empty.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const a = key.slice(0, MAX_KEY).toLowerCase();
  for (const candidate of known) {
    const distance = editDistance(a, candidate.slice(0, MAX_KEY).toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Throws ConfigError (`SW_CONFIG`) for the first own key of `options` not in `known`, naming the
 * closest known key: `createRuntime: unknown option "restarts" (did you mean "restart"?)`.
 * `details`: `{ where, option, closest, known }`.
 */
export function rejectUnknownKeys(where: string, options: object, known: readonly string[]): void {
  // for…in, not Object.keys: this runs on every spawn, and allocates nothing when all keys are known.
  for (const option in options) {
    if (!Object.hasOwn(options, option) || known.includes(option)) continue;
    const closest = closestKey(option, known);
    const shown = option.length > MAX_KEY ? `${option.slice(0, MAX_KEY)}…` : option;
    throw new ConfigError(`${where}: unknown option "${shown}"${closest ? ` (did you mean "${closest}"?)` : ''}`, { where, option: shown, closest, known: [...known] });
  }
}

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring). */
function editDistance(a: string, b: string): number {
  // Three rows: the one before the previous (for swaps), the previous, the current.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
