/**
 * The fleet demo (`npm start`): one runtime hosting every statewire actor, each against its
 * reference peer started in this process on loopback, on embedded defaults (no Redis, no network).
 * Prints a live status table every second, serves the status endpoint, and shuts down gracefully on
 * Ctrl-C / SIGTERM or after `--duration <seconds>`.
 *
 *   npm start                      run until Ctrl-C
 *   npm start -- --duration 5      run 5 s, then drain and exit
 *   npm start -- --port 9464       status endpoint on a fixed port (default: a free one)
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleLogger } from '../adapters/logger.js';
import { createRuntime } from '../runtime/index.js';
import type { DemoPart } from './fleet/part.js';
import { renderTable } from './fleet/table.js';

const { values } = parseArgs({
  options: { duration: { type: 'string' }, port: { type: 'string' }, quiet: { type: 'boolean', default: false } },
});
const durationS = values.duration === undefined ? undefined : Number(values.duration);
if (durationS !== undefined && !(durationS > 0)) {
  console.error(`--duration must be a positive number of seconds (got "${values.duration}")`);
  process.exit(2);
}

const runtime = createRuntime({ logger: consoleLogger('warn', 'fleet') });
runtime.on('actor.restarted', (e) => console.log(`! ${e.id} restarted (#${e.restarts}, after ${e.afterMs} ms)`));
runtime.on('actor.failed', (e) => console.log(`! ${e.id} failed for good: ${e.code} ${e.message}`));

// Ctrl-C is graceful from the first moment (also while the parts start): registered before anything
// is printed, since a test or a user may press it as soon as the status line appears.
let stopping = false;
let ticker: NodeJS.Timeout | undefined;
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

// Every examples/fleet/<behaviour>.ts is one part of the fleet; each starts its own peers.
const here = join(dirname(fileURLToPath(import.meta.url)), 'fleet');
const partFiles = readdirSync(here).filter((f) => /\.ts$/.test(f) && !['part.ts', 'table.ts'].includes(f)).sort();
const parts: Array<{ name: string; part: DemoPart }> = [];
const summaries = new Map<string, () => string>();
for (const file of partFiles) {
  if (stopping) break;
  const name = file.slice(0, -3);
  try {
    const { start } = (await import(pathToFileURL(join(here, file)).href)) as { start: () => Promise<DemoPart> };
    const part = await start();
    parts.push({ name, part });
    for (const { id, create } of part.actors) {
      runtime.spawn(create, { id });
      summaries.set(id, () => part.summary(id));
    }
  } catch (error) {
    console.error(`fleet part "${name}" could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// (refused once a Ctrl-C during startup began the shutdown: that one then ends the process)
const server = stopping ? undefined : await runtime.serveStatus({ port: values.port ? Number(values.port) : 0 }).catch((error: unknown) => {
  if (!stopping) throw error;
});
if (server) {
  console.log(`statewire fleet: ${runtime.list().length} actors from ${parts.length} parts; status at ${server.url}/status (also /healthz /readyz /metrics)`);
  ticker = setInterval(print, 1000);
}

function print(): void {
  if (!values.quiet) console.log(renderTable(runtime.status(), (id) => summaries.get(id)?.() ?? ''));
}

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(ticker);
  print();
  console.log(`shutting down (${reason})…`);
  const report = await runtime.stop({ deadlineMs: 5000 });
  console.log(`drained: ${report.drained.join(', ') || '-'}; cut: ${report.cut.join(', ') || '-'}; stopped: ${report.stopped.join(', ') || '-'}`);
  await Promise.allSettled(parts.map(({ part }) => part.stop()));
  console.log('bye');
  process.exit(0);
}
if (durationS !== undefined) setTimeout(() => void shutdown(`--duration ${durationS}`), durationS * 1000);
