import type { Counter, Gauge, Registry } from 'prom-client';
import type { MetricFamily } from './metrics.js';

/** The parts of prom-client used here: pass the module the host itself imports (`import * as client from 'prom-client'`). */
export interface PromClient {
  Gauge: typeof Gauge;
  Counter: typeof Counter;
}

/**
 * Puts the runtime's series (the ones `/metrics` serves) into a prom-client registry the host
 * owns, so statewire's series are scraped with the app's own. prom-client is an optional peer:
 * the host passes its module, so the registry and the metric classes come from the same copy.
 *
 * Values are read at scrape time (each metric's `collect`), from one `metricFamilies()` call per
 * scrape. A counter name an actor reports for the first time is registered at that scrape.
 * Returns a function that removes every series it registered.
 */
export function registerRuntimeMetrics(runtime: { metricFamilies(): MetricFamily[] }, client: PromClient, registry: Registry): () => void {
  const registered = new Map<string, Gauge | Counter>();
  let current: Map<string, MetricFamily> | undefined;

  const familyOf = (name: string) => (current ?? snapshot()).get(name);
  const snapshot = () => {
    current = new Map(runtime.metricFamilies().map((family) => [family.name, family]));
    // Forgotten at the end of the scrape: the next one reads the runtime again.
    queueMicrotask(() => (current = undefined));
    for (const family of current.values()) if (!registered.has(family.name)) register(family);
    return current;
  };

  function register(family: MetricFamily): void {
    const { name, help, labelNames } = family;
    const metric =
      family.type === 'counter'
        ? new client.Counter({
            name, help, labelNames, registers: [registry],
            collect() {
              this.reset();
              for (const { labels, value } of familyOf(name)?.samples ?? []) this.inc(labels, value);
            },
          })
        : new client.Gauge({
            name, help, labelNames, registers: [registry],
            collect() {
              this.reset();
              for (const { labels, value } of familyOf(name)?.samples ?? []) this.set(labels, value);
            },
          });
    registered.set(name, metric);
  }

  // The families known now get their series at once; their values are read at each scrape.
  snapshot();
  current = undefined;
  return () => {
    for (const name of registered.keys()) registry.removeSingleMetric(name);
    registered.clear();
  };
}
