import type { ActorStatus } from '../../runtime/index.js';

/** The live status table: one row per actor, columns sized to their content. */
export function renderTable(actors: ActorStatus[], summary: (id: string) => string): string {
  const header = ['actor', 'state', 'status', 'ready', 'restarts', 'counters'];
  const rows = actors.map((a) => [
    a.id,
    a.state === null ? '-' : leafPaths(a.state).join(' '),
    a.status,
    a.ready ? 'yes' : 'no',
    String(a.restarts),
    safe(() => summary(a.id)),
  ]);
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i]!))).join('  ');
  return [`— ${new Date().toISOString()} —`, line(header), ...rows.map(line)].join('\n');
}

/** `{ running: { work: 'idle', liveness: 'alive' } }` → `['running.work.idle', 'running.liveness.alive']`. */
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
