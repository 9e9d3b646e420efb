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
import { verdict } from './verdict.js';

const args = ['--import', 'tsx', 'node_modules/uvu/bin.js', 'tests', '\\.test\\.ts$', '-i', 'helpers'];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  output += chunk.toString();
  process.stdout.write(chunk);
});
// 'close', not 'exit': 'exit' can come before the last of stdout (uvu's totals) was read.
child.once('close', (code, signal) => {
  const { problems } = verdict(output, code, signal);
  if (problems.length) {
    console.error(`\n!!! test run failed: ${problems.join('; ')}`);
    process.exit(1);
  }
});
