/**
 * The verdict on one uvu run, from its stdout and exit status (used by run-suites.ts; .ci/run applies
 * the same arithmetic in awk).
 *
 * uvu's `Total` counts the tests that ran and excludes `test.skip`s, which it reports apart as
 * `Skipped`; so every test that ran must be in `Passed`. (Subtracting the skipped ones from the
 * total let a failure uvu did not count hide behind a skip.)
 */
export interface Verdict {
  total: number;
  passed: number;
  skipped: number;
  failed: number;
  problems: string[];
}

export function verdict(output: string, code: number | null, signal: NodeJS.Signals | null = null): Verdict {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const total = sumOf(plain, 'Total');
  const passed = sumOf(plain, 'Passed');
  const skipped = sumOf(plain, 'Skipped');
  const problems: string[] = [];
  if (code !== 0) problems.push(`uvu exited with ${signal ?? code}`);
  if (total === 0) problems.push('no test ran');
  if (passed < total) problems.push(`${total - passed} of ${total} tests did not pass`);
  const idle = filesWithoutResults(plain);
  if (idle.length) problems.push(`no suite ran in ${idle.join(', ')} (test.run() missing?)`);
  if (plain.includes('Exiting early before testing is finished')) problems.push('a suite ended before its tests finished (the event loop emptied)');
  return { total, passed, skipped, failed: Math.max(total - passed, problems.length ? 1 : 0), problems };
}

/**
 * uvu prints each file's name, then one `(passed / total)` line per suite it ran. A file whose suite
 * never ran (the last file forgot `test.run()`: its tests are dropped without a word) has none.
 */
function filesWithoutResults(plain: string): string[] {
  const idle: string[] = [];
  let current: string | undefined;
  for (const line of plain.split('\n')) {
    if (/^\S+\.test\.[cm]?[jt]s$/.test(line)) {
      if (current) idle.push(current);
      current = line;
    } else if (/\(\d+ \/ \d+\)\s*$/.test(line)) {
      current = undefined;
    } else if (/^\s*Total:/.test(line)) {
      break;
    }
  }
  if (current) idle.push(current);
  return idle;
}

function sumOf(text: string, label: string): number {
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))) sum += Number(match[1]);
  return sum;
}
