import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verdict } from '../helpers/verdict.js';

// What `npm test` (tests/helpers/run-suites.ts) and `.ci/run` conclude from uvu's output.

/** uvu's closing lines, coloured as uvu prints them. */
const totals = (total: number, passed: number, skipped: number) =>
  `\n  Total:     ${total}\x1b[32m\n  Passed:    ${passed}\x1b[39m\n  Skipped:   ${skipped}\n  Duration:  1.00ms\n\n`;

/** Runs the verdict block of .ci/run on `output` with npm test's exit `status`. */
function ciVerdict(output: string, status: number): { line: string; exit: number } {
  const script = readFileSync('.ci/run', 'utf8');
  const block = script.slice(script.indexOf('# verdict:'), script.indexOf('# end verdict'));
  const dir = mkdtempSync(join(tmpdir(), 'statewire-ci-'));
  try {
    const log = join(dir, 'log');
    writeFileSync(log, output);
    const run = spawnSync('bash', ['-c', `log=${JSON.stringify(log)}; status=${status}\n${block}\nexit "$status"`], { encoding: 'utf8' });
    return { line: run.stdout.trim().split('\n').pop() ?? '', exit: run.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('verdict: a clean run passes, skips included', () => {
  assert.equal(verdict(totals(3, 3, 0), 0).problems, []);
  assert.equal(verdict(totals(3, 3, 2), 0).problems, []);
  assert.equal(ciVerdict(totals(3, 3, 2), 0), { line: '3 passed, 0 failed, 2 skipped', exit: 0 });
});

test('verdict: a failure uvu did not count (exit 0) cannot hide behind a skipped test', () => {
  // uvu: Total excludes skips; a StatewireError failure is in neither Passed nor the exit code.
  const output = totals(2, 1, 1);
  assert.equal(verdict(output, 0).problems, ['1 of 2 tests did not pass']);
  assert.equal(ciVerdict(output, 0), { line: '1 passed, 1 failed, 1 skipped', exit: 1 });
});

test('verdict: a non-zero exit, no tests at all, or totals summed over several runs', () => {
  assert.match(verdict(totals(2, 2, 0), 1).problems.join(), 'uvu exited with 1');
  assert.match(verdict('', 0).problems.join(), 'no test ran');
  assert.equal(verdict(totals(2, 2, 0) + totals(3, 2, 0), 0).failed, 1);
  assert.equal(ciVerdict(totals(2, 2, 0), 1), { line: '2 passed, 1 failed, 0 skipped', exit: 1 });
  assert.equal(ciVerdict('', 1), { line: '0 passed, 1 failed, 0 skipped', exit: 1 });
});

test('verdict: a file whose suite never ran (the last file forgot test.run()) fails the run', () => {
  const ran = 'a.test.ts\n\x1b[90m• \x1b[39m\x1b[32m  (1 / 1)\n\x1b[39m\n';
  assert.equal(verdict(ran + totals(1, 1, 0), 0).problems, []);
  assert.equal(verdict(ran + 'b.test.ts\n' + totals(1, 1, 0), 0).problems, ['no suite ran in b.test.ts (test.run() missing?)']);
  assert.equal(verdict('sub/b.test.ts\n' + ran + totals(1, 1, 0), 0).problems, ['no suite ran in sub/b.test.ts (test.run() missing?)']);
  // a test that logs a path is not a file header
  assert.equal(verdict(ran.replace('\n', '\n/tmp/trace.ts\nsome/other.test.ts is mentioned\n') + totals(1, 1, 0), 0).problems, []);
});

test.run();
