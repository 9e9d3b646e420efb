import type { ActorStatus } from '../../runtime/index.js';

/** The live status table: one row per actor, columns sized to their content. */
export function renderTable(actors: ActorStatus[], summary: (id: string) => string): string {
  const header = ['actor', 'state', 'status', 'ready', 'restarts', 'counters'];
  const rows = actors.map((a) => [
    a.id,
    a.state === null ? '-' : readableState(a.state),
    a.status,
    a.ready ? 'yes' : 'no',
    String(a.restarts),
    safe(() => summary(a.id)),
  ]);
  const widths = header.map((h, i) => Math.min(80, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i]!))).join('  ');
  return [`— ${new Date().toISOString()} —`, line(header), ...rows.map(line)].join('\n');
}

/**
 * A state value as a reader says it: nesting with ` › `, parallel regions apart with `, `, and a
 * parallel root's regions apart with ` | `:
 * `{ running: { work: 'idle', liveness: 'alive' } }` → `running › work.idle, liveness.alive`;
 * `{ watch: { open: { link: 'connecting', liveness: 'alive' } }, run: 'idle' }` →
 * `watch: open › link.connecting, liveness.alive | run: idle`.
 */
export function readableState(value: unknown): string {
  const regions = typeof value === 'object' && value !== null ? Object.entries(value as Record<string, unknown>) : [];
  if (regions.length < 2) return chain(value);
  return regions.map(([region, child]) => `${region}: ${chain(child)}`).join(' | ');
}

function chain(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return leafPaths(value).join(', ');
  const [key, child] = entries[0]!;
  const empty = typeof child === 'object' && child !== null && Object.keys(child).length === 0;
  return empty ? key : `${key} › ${chain(child)}`;
}

/** `{ work: 'idle', liveness: 'alive' }` → `['work.idle', 'liveness.alive']`. */
function leafPaths(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [String(value)];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [];
  return entries.flatMap(([key, child]) => {
    const below = leafPaths(child);
    return below.length ? below.map((path) => `${key}.${path}`) : [key];
  });
}

function safe(fn: () => string): string {
  try {
    return fn();
  } catch (error) {
    return `(summary failed: ${error instanceof Error ? error.message : String(error)})`;
  }
}
