import type { ActorStatus } from './types.js';

/** One metric family: what both the text exposition and a prom-client registry are made from. */
export interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  labelNames: readonly string[];
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

export interface ActorMetricsSource {
  status: ActorStatus;
  counters: Record<string, number>;
}

const BUILT_IN = ['statewire_actor_info', 'statewire_actor_state', 'statewire_actor_ready', 'statewire_actor_restarts_total', 'statewire_actor_errors_total'];

/**
 * The hosted actors as metric families: one gauge per actor with its machine and status, one per
 * active state of each region, restart and error counters, and every counter an actor reports,
 * prefixed `statewire_` and labelled with the actor id.
 */
export function metricFamilies(actors: ActorMetricsSource[]): MetricFamily[] {
  const family = (name: string, type: MetricFamily['type'], help: string, labelNames: readonly string[], samples: MetricFamily['samples']): MetricFamily => ({ name, type, help, labelNames, samples });
  const families = [
    family('statewire_actor_info', 'gauge', 'Hosted actors: 1 per actor, with its machine and status as labels.', ['actor', 'machine', 'status'],
      actors.map(({ status }) => ({ labels: { actor: status.id, machine: status.machineId ?? '', status: status.status }, value: 1 }))),
    family('statewire_actor_state', 'gauge', 'The active state of each region of each actor: 1 per (actor, region, state); region "" is the root.', ['actor', 'region', 'state'],
      actors.flatMap(({ status }) => activeStates(status.state).map(({ region, state }) => ({ labels: { actor: status.id, region, state }, value: 1 })))),
    family('statewire_actor_ready', 'gauge', 'Whether the actor carries the ready tag (1) or not (0).', ['actor'],
      actors.map(({ status }) => ({ labels: { actor: status.id }, value: status.ready ? 1 : 0 }))),
    family('statewire_actor_restarts_total', 'counter', 'Restarts by the supervisor.', ['actor'], actors.map(({ status }) => ({ labels: { actor: status.id }, value: status.restarts }))),
    family('statewire_actor_errors_total', 'counter', 'Errors the actor raised.', ['actor'], actors.map(({ status }) => ({ labels: { actor: status.id }, value: status.errors }))),
  ];

  // One bad counter must not make the whole exposition invalid (a scraper then drops all of it):
  // a name that sanitises onto a built-in family or onto another name of the same actor is dropped.
  const builtIn = new Set(BUILT_IN);
  const byName = new Map<string, MetricFamily['samples']>();
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
      rows.push({ labels: { actor: status.id }, value });
    }
  }
  for (const [metric, samples] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    families.push(family(metric, metric.endsWith('_total') ? 'counter' : 'gauge', `The ${metric.slice('statewire_'.length)} an actor reports.`, ['actor'], samples));
  }
  return families;
}

/** Prometheus text exposition (format 0.0.4) of `metricFamilies(actors)`. */
export function renderMetrics(actors: ActorMetricsSource[]): string {
  const lines: string[] = [];
  for (const { name, type, help, samples } of metricFamilies(actors)) {
    if (!BUILT_IN.includes(name)) lines.push(`# TYPE ${name} ${type}`);
    else lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const { labels, value } of samples) lines.push(`${name}${formatLabels(labels)} ${value}`);
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
