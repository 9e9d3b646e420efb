/**
 * `npm test`'s runner: uvu over every tests/**\/*.test.ts in one process, with its verdict checked.
 *
 * uvu alone can exit 0 with failed tests: when a thrown error carries a non-string `details` (as
 * every StatewireError does), its formatter throws, and the failure is counted in neither "Passed"
 * nor the exit code. So this reads uvu's own totals and fails unless every test passed or was
 * skipped, and also when no test ran or uvu stopped early (a suite left the event loop empty).
 * To run one folder without the checks: `node --import tsx node_modules/uvu/bin.js tests/<folder>`.
 */
import { spawn } from 'node:child_process';

const args = ['--import', 'tsx', 'node_modules/uvu/bin.js', 'tests', '\\.test\\.ts$', '-i', 'helpers'];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  output += chunk.toString();
  process.stdout.write(chunk);
});
child.once('exit', (code, signal) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const total = sumOf(plain, 'Total');
  const passed = sumOf(plain, 'Passed');
  const skipped = sumOf(plain, 'Skipped');
  const problems: string[] = [];
  if (code !== 0) problems.push(`uvu exited with ${signal ?? code}`);
  if (total === 0) problems.push('no test ran');
  if (passed + skipped < total) problems.push(`${total - passed - skipped} of ${total} tests did not pass`);
  if (plain.includes('Exiting early before testing is finished')) problems.push('a suite ended before its tests finished (the event loop emptied)');
  if (problems.length) {
    console.error(`\n!!! test run failed: ${problems.join('; ')}`);
    process.exit(1);
  }
});

function sumOf(text: string, label: string): number {
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))) sum += Number(match[1]);
  return sum;
}
