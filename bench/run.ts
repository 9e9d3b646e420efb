/**
 * `npm run bench [name…]`: runs bench/<name>.ts (all of them when no name is given), one child
 * process each so no benchmark warms the JIT or the heap for another, and passes their JSON lines
 * through. Exits non-zero if any benchmark failed to run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'lib.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length ? wanted : available) {
  console.error(`# bench ${name}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit', timeout: 180_000 });
  if (result.status !== 0) {
    failed++;
    console.error(`# bench ${name} failed (${result.signal ?? `exit ${result.status}`})`);
  }
}
process.exit(failed ? 1 : 0);
