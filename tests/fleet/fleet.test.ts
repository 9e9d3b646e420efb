import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { request } from 'undici';

/** Runs the fleet demo as `npm start -- --duration N` would, and talks to its status endpoint. */
test('fleet demo: prints the table, serves /status, and exits 0 after --duration', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/fleet.ts', '--duration', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /status at (http:\/\/127\.0\.0\.1:\d+)\/status/.exec(out);
        if (match) resolve(match[1]!);
      };
      child.stdout.on('data', check);
      child.once('exit', () => reject(new Error(`fleet exited early:\n${out}\n${err}`)));
    });
    const res = await request(`${url}/status`);
    const body = (await res.body.json()) as { actors: Array<{ id: string; status: string }> };
    assert.is(res.statusCode, 200);
    assert.ok(body.actors.length >= 1, 'hosts actors');
    assert.ok(body.actors.some((a) => a.id === 'lease'));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.is(code, 0, `exit code (stderr: ${err})`);
    assert.match(out, /actor\s+state\s+status\s+ready\s+restarts\s+counters/);
    // What a reader needs: a banner naming the staged faults, readable states, few plain tables.
    assert.match(out, /Faults are staged on purpose/);
    for (const part of ['calls', 'delivery', 'lease', 'link', 'sidecar', 'worker']) assert.match(out, new RegExp(`\\n  ${part}\\s+\\S`), `banner line of ${part}`);
    assert.match(out, /running › work\.\w+, liveness\.\w+/, 'a state as a reader says it');
    assert.not.match(out, /\x1b\[/, 'no terminal control codes when stdout is not a terminal');
    const tables = out.match(/^actor\s+state\s+status/gm)?.length ?? 0;
    assert.ok(tables >= 1 && tables <= 2, `not a table a second when not a terminal (${tables} in 3 s)`);
    assert.match(out, /shutting down \(--duration 3\)/);
    assert.match(out, /\nbye\n/);
    assert.not.match(out + err, /could not start/);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('fleet demo: Ctrl-C (SIGINT) drains the actors and exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/fleet.ts', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      const check = () => /status at http/.test(out) && resolve();
      child.stdout.on('data', check);
      void exited.then(() => reject(new Error(`fleet exited early:\n${out}\n${err}`)));
    });
    const sent = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    assert.is(code, 0, `exit code after ${Date.now() - sent} ms (signal ${child.signalCode}; stdout: ${out.slice(-2000)}; stderr: ${err})`);
    assert.match(out, /shutting down \(SIGINT\)/);
    assert.match(out, /drained: [^\n]*lease/);
    assert.match(out, /\nbye\n/);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test.run();
