import type { ActorStatus } from './types.js';

/**
 * Prometheus text exposition (format 0.0.4) of the hosted actors: one gauge per actor carrying
 * its state as labels, restart and error counters, and every counter an actor reports, prefixed
 * `statewire_` and labelled with the actor id.
 */
export function renderMetrics(actors: Array<{ status: ActorStatus; counters: Record<string, number> }>): string {
  const lines: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  family('statewire_actor_info', 'gauge', 'Hosted actors: 1 per actor, with its machine and status as labels.');
  for (const { status } of actors) {
    const labels = { actor: status.id, machine: status.machineId ?? '', status: status.status };
    lines.push(`statewire_actor_info${formatLabels(labels)} 1`);
  }
  family('statewire_actor_state', 'gauge', 'The active state of each region of each actor: 1 per (actor, region, state); region "" is the root.');
  for (const { status } of actors) {
    for (const { region, state } of activeStates(status.state)) lines.push(`statewire_actor_state${formatLabels({ actor: status.id, region, state })} 1`);
  }
  family('statewire_actor_ready', 'gauge', 'Whether the actor carries the ready tag (1) or not (0).');
  for (const { status } of actors) lines.push(`statewire_actor_ready${formatLabels({ actor: status.id })} ${status.ready ? 1 : 0}`);
  family('statewire_actor_restarts_total', 'counter', 'Restarts by the supervisor.');
  for (const { status } of actors) lines.push(`statewire_actor_restarts_total${formatLabels({ actor: status.id })} ${status.restarts}`);
  family('statewire_actor_errors_total', 'counter', 'Errors the actor raised.');
  for (const { status } of actors) lines.push(`statewire_actor_errors_total${formatLabels({ actor: status.id })} ${status.errors}`);

  // One bad counter must not make the whole exposition invalid (a scraper then drops all of it):
  // a name that sanitises onto a built-in family or onto another name of the same actor is dropped.
  const builtIn = new Set(['statewire_actor_info', 'statewire_actor_state', 'statewire_actor_ready', 'statewire_actor_restarts_total', 'statewire_actor_errors_total']);
  const byName = new Map<string, Array<[string, number]>>();
  for (const { status, counters } of actors) {
    if (typeof counters !== 'object' || counters === null) continue;
    const taken = new Set<string>();
    for (const [name, value] of Object.entries(counters)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const metric = `statewire_${sanitize(name)}`;
      if (builtIn.has(metric) || taken.has(metric)) continue;
      taken.add(metric);
      const rows = byName.get(metric) ?? [];
      byName.set(metric, rows);
      rows.push([status.id, value]);
    }
  }
  for (const [metric, rows] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`# TYPE ${metric} ${metric.endsWith('_total') ? 'counter' : 'gauge'}`);
    for (const [actor, value] of rows) lines.push(`${metric}${formatLabels({ actor })} ${value}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * A state value as (region, state) pairs, one per active atomic state: `{ running: { work: 'idle',
 * liveness: 'alive' } }` → `running.work`/`idle` and `running.liveness`/`alive`; `'held'` → ``/`held`.
 * Plain label values a query can match on (a JSON label could not be).
 */
export function activeStates(value: unknown, region = ''): Array<{ region: string; state: string }> {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [{ region, state: String(value) }];
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Array<{ region: string; state: string }> = [];
  for (const [key, child] of entries) {
    const empty = typeof child === 'object' && child !== null && Object.keys(child).length === 0;
    if (empty) out.push({ region, state: key });
    else out.push(...activeStates(child, region ? `${region}.${key}` : key));
  }
  return out;
}

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
}

function formatLabels(labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`)
    .join(',');
  return `{${body}}`;
}
