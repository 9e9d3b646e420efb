/**
 * The docs' charts, generated from the machines (runtime/mermaid.ts), never drawn by hand.
 *
 * A chart in README.md or docs/*.md is a marked block; the marker names a module (relative to the
 * repo root) and the machine it exports:
 *
 *   <!-- chart: machines/link/link.ts#linkMachine -->
 *   ```mermaid
 *   stateDiagram-v2
 *   …
 *   ```
 *   <!-- /chart -->
 *
 * What stands between the two markers is replaced whole, so a new chart can start as the two
 * marker lines alone. `npm run docs` (this file with `--write`) rewrites every block in place;
 * without `--write` it only reports the stale ones and exits 1. tests/docs/ fails on a stale one.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { toMermaid } from '../../runtime/mermaid.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Chart {
  /** The doc, relative to the root searched (`README.md`, `docs/link.md`). */
  file: string;
  /** What the marker names: `machines/link/link.ts#linkMachine`. */
  chart: string;
  /** The diagram the machine renders now. */
  expected: string;
  /** The diagram the doc holds ('' when the block has none yet). */
  actual: string;
}

const OPEN = /<!--\s*chart:\s*([^\s#]+)#([\w$]+)\s*-->/g;
const CLOSE = /<!--\s*\/chart\s*-->/g;
const FENCE = /^\s*```mermaid\r?\n([\s\S]*?)\r?\n```\s*$/;

/** Every chart block of `root`'s README.md and docs/*.md, in file order (docs/ may not exist). */
export async function findCharts(root: string = REPO_ROOT): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const path of await docFiles(root)) {
    const file = relative(root, path);
    for (const block of scan(file, await readFile(path, 'utf8'))) {
      charts.push({ file, chart: `${block.module}#${block.name}`, expected: await render(block), actual: block.actual });
    }
  }
  return charts;
}

/**
 * Rewrites every stale block of `root`'s docs in place; returns the files it changed. Every block
 * is rendered before any file is written: a bad marker leaves all the docs as they were.
 */
export async function writeCharts(root: string = REPO_ROOT): Promise<string[]> {
  const rewrites: Array<{ path: string; file: string; text: string }> = [];
  for (const path of await docFiles(root)) {
    const file = relative(root, path);
    const original = await readFile(path, 'utf8');
    let text = original;
    // From the last block back, so the offsets of the ones before stay valid.
    for (const block of scan(file, original).reverse()) {
      const body = `\n\`\`\`mermaid\n${await render(block)}\n\`\`\`\n`;
      text = text.slice(0, block.start) + body + text.slice(block.end);
    }
    if (text !== original) rewrites.push({ path, file, text });
  }
  for (const { path, text } of rewrites) await writeFile(path, text);
  return rewrites.map(({ file }) => file);
}

async function docFiles(root: string): Promise<string[]> {
  const files = existsSync(join(root, 'README.md')) ? [join(root, 'README.md')] : [];
  const docs = join(root, 'docs');
  if (!existsSync(docs)) return files;
  const names = (await readdir(docs)).filter((name) => name.endsWith('.md')).sort();
  return [...files, ...names.map((name) => join(docs, name))];
}

interface Block {
  /** `file:line` of the marker, for errors. */
  where: string;
  module: string;
  name: string;
  actual: string;
  /** The text between the two markers: [start, end). */
  start: number;
  end: number;
}

function scan(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const open of text.matchAll(OPEN)) {
    const start = open.index + open[0].length;
    CLOSE.lastIndex = start;
    const close = CLOSE.exec(text);
    const next = text.slice(start).search(OPEN);
    if (!close || (next >= 0 && start + next < close.index)) {
      throw new Error(`${file}:${lineOf(open.index)}: chart marker for ${open[1]}#${open[2]} has no <!-- /chart --> after it`);
    }
    const inner = text.slice(start, close.index);
    blocks.push({ where: `${file}:${lineOf(open.index)}`, module: open[1]!, name: open[2]!, actual: FENCE.exec(inner)?.[1] ?? '', start, end: close.index });
  }
  return blocks;
}

async function render({ where, module, name }: Block): Promise<string> {
  const path = resolve(REPO_ROOT, module);
  if (!existsSync(path)) throw new Error(`${where}: chart marker names ${module}, which does not exist (paths are relative to the repo root)`);
  const machine = ((await import(pathToFileURL(path).href)) as Record<string, unknown>)[name];
  if (machine === undefined) throw new Error(`${where}: chart marker names ${module}#${name}, but ${module} has no export ${name}`);
  if (typeof machine !== 'object' || machine === null || !('root' in machine)) {
    throw new Error(`${where}: chart marker names ${module}#${name}, which is not a state machine`);
  }
  return toMermaid(machine as AnyStateMachine);
}

export const staleMessage = (chart: Chart) => `${chart.file}: chart of ${chart.chart} is stale: run npm run docs`;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  if (process.argv.includes('--write')) {
    const changed = await writeCharts();
    console.log(changed.length ? `charts rewritten in ${changed.join(', ')}` : 'charts: every block up to date');
  } else {
    const stale = (await findCharts()).filter((chart) => chart.actual !== chart.expected);
    for (const chart of stale) console.error(staleMessage(chart));
    process.exitCode = stale.length ? 1 : 0;
  }
}
