/**
 * The fleet demo (`npm start`): one runtime hosting every statewire actor, each against its
 * reference peer started in this process on loopback, on embedded defaults (no Redis, no network).
 * On a terminal it redraws a live status table in place every second (plain lines every 5 s when
 * not a terminal or with `--plain`), serves the status endpoint, and shuts down gracefully on
 * Ctrl-C / SIGTERM or after `--duration <seconds>`.
 *
 *   npm start                      run until Ctrl-C
 *   npm start -- --duration 5      run 5 s, then drain and exit
 *   npm start -- --port 9464       status endpoint on a fixed port (default: a free one)
 *   npm start -- --plain           plain lines even on a terminal
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRuntime } from '../runtime/index.js';
import type { DemoPart } from './fleet/part.js';
import { createScreen } from './fleet/screen.js';
import { renderTable } from './fleet/table.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    port: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    plain: { type: 'boolean', default: false },
  },
});
const durationS = values.duration === undefined ? undefined : Number(values.duration);
if (durationS !== undefined && !(durationS > 0)) {
  console.error(`--duration must be a positive number of seconds (got "${values.duration}")`);
  process.exit(2);
}

const screen = createScreen({ live: Boolean(process.stdout.isTTY) && !values.plain });
const runtime = createRuntime({ logger: screen.logger });
runtime.on('actor.restarted', (e) => screen.logger.warn(`${e.id} restarted (#${e.restarts}, after ${e.afterMs} ms)`));
runtime.on('actor.failed', (e) => screen.logger.error(`${e.id} failed for good: ${e.code} ${e.message}`));

// Ctrl-C is graceful from the first moment (also while the parts start): registered before anything
// is printed, since a test or a user may press it as soon as the status line appears.
let stopping = false;
let ticker: NodeJS.Timeout | undefined;
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

// Every examples/fleet/<behaviour>.ts is one part of the fleet; each starts its own peers.
const here = join(dirname(fileURLToPath(import.meta.url)), 'fleet');
const partFiles = readdirSync(here).filter((f) => /\.ts$/.test(f) && !['part.ts', 'table.ts', 'screen.ts'].includes(f)).sort();
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
let banner = '';
if (server) {
  banner = [
    `statewire fleet demo: ${runtime.list().length} actors from ${parts.length} parts, each against a reference peer on 127.0.0.1, on embedded defaults (no Redis, no network).`,
    'Faults are staged on purpose, so the table shows recovery:',
    ...parts.map(({ name, part }) => `  ${name.padEnd(9)} ${part.staged}`),
    `status at ${server.url}/status (also /healthz /readyz /metrics) · ${durationS === undefined ? 'Ctrl-C stops it (every actor drains first)' : `stops after ${durationS} s`}`,
  ].join('\n');
  screen.say(banner);
  ticker = setInterval(() => print(), 1000);
}

function print(force = false): void {
  if (values.quiet) return;
  const table = renderTable(runtime.status(), (id) => summaries.get(id)?.() ?? '');
  screen.frame(screen.live ? `${banner}\n\n${table}` : table, force);
}

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(ticker);
  print(true);
  screen.say(`shutting down (${reason})…`);
  const report = await runtime.stop({ deadlineMs: 5000 });
  screen.say(`drained: ${report.drained.join(', ') || '-'}; cut: ${report.cut.join(', ') || '-'}; stopped: ${report.stopped.join(', ') || '-'}`);
  await Promise.allSettled(parts.map(({ part }) => part.stop()));
  screen.say('bye');
  process.exit(0);
}
if (durationS !== undefined) setTimeout(() => void shutdown(`--duration ${durationS}`), durationS * 1000);
