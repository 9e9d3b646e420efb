import type { ActorStatus } from '../../runtime/index.js';

/** The live status table: one row per actor, columns sized to their content. */
export function renderTable(actors: ActorStatus[], summary: (id: string) => string): string {
  const header = ['actor', 'state', 'status', 'ready', 'restarts', 'counters'];
  const rows = actors.map((a) => [
    a.id,
    a.state === null ? '-' : typeof a.state === 'string' ? a.state : JSON.stringify(a.state),
    a.status,
    a.ready ? 'yes' : 'no',
    String(a.restarts),
    safe(() => summary(a.id)),
  ]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i]!))).join('  ');
  return [`— ${new Date().toISOString()} —`, line(header), ...rows.map(line)].join('\n');
}

function safe(fn: () => string): string {
  try {
    return fn();
  } catch (error) {
    return `(summary failed: ${error instanceof Error ? error.message : String(error)})`;
  }
}
