import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { setup } from 'xstate';
import { isStatewireError } from '../../errors/base.js';
import { createRuntime } from '../../runtime/index.js';

// Every option of the runtime, wrong: each row is a call that must fail with ConfigError
// (SW_CONFIG) whose details name the field (`option`) and, for an unknown key, the key that was
// probably meant (`closest`). issue 18: `port: -1` was Node's RangeError, `port: 'abc'` a Unix
// socket named abc, `deadlineMs: -1` accepted, misspelled keys silently ignored.

const idle = setup({}).createMachine({ id: 'idle', initial: 'on', states: { on: {} } });

type Call = () => unknown;
interface Row {
  what: string;
  call: Call;
  option: string;
  closest?: string;
}

const runtimeRows: Row[] = [
  { what: 'options not an object', call: () => createRuntime(5 as never), option: 'options' },
  { what: 'options null', call: () => createRuntime(null as never), option: 'options' },
  { what: 'unknown key', call: () => createRuntime({ restarts: 'never' } as never), option: 'restarts', closest: 'restart' },
  { what: 'misspelled key', call: () => createRuntime({ keepStoped: 5 } as never), option: 'keepStoped', closest: 'keepStopped' },
  { what: 'wrong case', call: () => createRuntime({ Clock: {} } as never), option: 'Clock', closest: 'clock' },
  { what: 'inspect wrong type', call: () => createRuntime({ inspect: 5 as never }), option: 'inspect' },
  { what: 'clock without timers', call: () => createRuntime({ clock: {} as never }), option: 'clock' },
  { what: 'logger without levels', call: () => createRuntime({ logger: { info() {} } as never }), option: 'logger' },
  { what: 'restart null', call: () => createRuntime({ restart: null as never }), option: 'restart' },
  { what: 'restart unknown word', call: () => createRuntime({ restart: 'always' as never }), option: 'restart' },
  { what: 'restart negative', call: () => createRuntime({ restart: { maxRestarts: -1, withinMs: 1, backoffMs: 1, maxBackoffMs: 1 } }), option: 'restart' },
  { what: 'restart NaN', call: () => createRuntime({ restart: { maxRestarts: 1, withinMs: NaN, backoffMs: 1, maxBackoffMs: 1 } }), option: 'restart' },
  { what: 'restart misspelled key', call: () => createRuntime({ restart: { maxRestart: 1, withinMs: 1, backoffMs: 1, maxBackoffMs: 1 } as never }), option: 'maxRestart', closest: 'maxRestarts' },
  { what: 'keepStopped negative', call: () => createRuntime({ keepStopped: -1 }), option: 'keepStopped' },
  { what: 'keepStopped NaN', call: () => createRuntime({ keepStopped: NaN }), option: 'keepStopped' },
  { what: 'keepStopped Infinity (unbounded)', call: () => createRuntime({ keepStopped: Infinity }), option: 'keepStopped' },
  { what: 'keepStopped fraction', call: () => createRuntime({ keepStopped: 1.5 }), option: 'keepStopped' },
  { what: 'keepStopped wrong type', call: () => createRuntime({ keepStopped: '5' as never }), option: 'keepStopped' },
];

function spawnRows(runtime: ReturnType<typeof createRuntime>): Row[] {
  return [
    { what: 'no options', call: () => runtime.spawn(idle, undefined as never), option: 'options' },
    { what: 'logic not logic', call: () => runtime.spawn(null as never, { id: 'x' }), option: 'logic' },
    { what: 'id empty', call: () => runtime.spawn(idle, { id: '' }), option: 'id' },
    { what: 'id wrong type', call: () => runtime.spawn(idle, { id: 5 as never }), option: 'id' },
    { what: 'unknown key', call: () => runtime.spawn(idle, { id: 'x', restarts: 'never' } as never), option: 'restarts', closest: 'restart' },
    { what: 'misspelled key', call: () => runtime.spawn(idle, { id: 'x', inptu: {} } as never), option: 'inptu', closest: 'input' },
    { what: 'restart negative', call: () => runtime.spawn(idle, { id: 'x', restart: { maxRestarts: 1, withinMs: -5, backoffMs: 1, maxBackoffMs: 1 } }), option: 'restart' },
    { what: 'snapshot wrong type', call: () => runtime.spawn(idle, { id: 'x', snapshot: 5 as never }), option: 'snapshot' },
    { what: 'counters wrong type', call: () => runtime.spawn(idle, { id: 'x', counters: {} as never }), option: 'counters' },
  ];
}

function stopRows(stop: (options: never) => Promise<unknown>): Row[] {
  return [
    { what: 'deadlineMs negative', call: () => stop({ deadlineMs: -1 } as never), option: 'deadlineMs' },
    { what: 'deadlineMs NaN', call: () => stop({ deadlineMs: NaN } as never), option: 'deadlineMs' },
    { what: 'deadlineMs wrong type', call: () => stop({ deadlineMs: '100' } as never), option: 'deadlineMs' },
    { what: 'options wrong type', call: () => stop(100 as never), option: 'options' },
    { what: 'unknown key', call: () => stop({ deadline: 100 } as never), option: 'deadline', closest: 'deadlineMs' },
    { what: 'wrong case', call: () => stop({ deadlineMS: 100 } as never), option: 'deadlineMS', closest: 'deadlineMs' },
  ];
}

function serveRows(runtime: ReturnType<typeof createRuntime>): Row[] {
  const serve = (options: unknown) => runtime.serveStatus(options as never);
  return [
    { what: 'port negative', call: () => serve({ port: -1 }), option: 'port' },
    { what: 'port a name (was a Unix socket in the cwd)', call: () => serve({ port: 'abc' }), option: 'port' },
    { what: 'port a numeric string', call: () => serve({ port: '8080' }), option: 'port' },
    { what: 'port NaN', call: () => serve({ port: NaN }), option: 'port' },
    { what: 'port past 65535', call: () => serve({ port: 65_536 }), option: 'port' },
    { what: 'port fraction', call: () => serve({ port: 80.5 }), option: 'port' },
    { what: 'host empty', call: () => serve({ host: '' }), option: 'host' },
    { what: 'host wrong type', call: () => serve({ host: 127 }), option: 'host' },
    { what: 'unknown key', call: () => serve({ hostname: '127.0.0.1' }), option: 'hostname', closest: 'host' },
    { what: 'misspelled key', call: () => serve({ prot: 0 }), option: 'prot', closest: 'port' },
  ];
}

/** Runs the call (sync or async) and returns what it threw or rejected with. */
async function failureOf(call: Call): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function check(where: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const error = await failureOf(row.call);
    const label = `${where}: ${row.what}`;
    assert.ok(isStatewireError(error), `${label}: a statewire error (got ${String(error)})`);
    if (!isStatewireError(error)) continue;
    assert.is(error.code, 'SW_CONFIG', label);
    assert.is(error.details.option, row.option, `${label}: names the field`);
    if (row.closest) {
      assert.is(error.details.closest, row.closest, `${label}: names the closest known key`);
      assert.match(error.message, `did you mean "${row.closest}"`, label);
    }
  }
}

test('createRuntime: every bad option is a ConfigError naming the field', async () => {
  await check('createRuntime', runtimeRows);
});

test('spawn: every bad option is a ConfigError naming the field, and nothing is hosted', async () => {
  const runtime = createRuntime();
  await check('spawn', spawnRows(runtime));
  assert.equal(runtime.list(), []);
  await runtime.stop();
});

test('runtime.stop and hosted.stop: a bad deadline or key is a ConfigError, and the stop does not begin', async () => {
  const runtime = createRuntime();
  const hosted = runtime.spawn(idle, { id: 'a' });
  await check('runtime.stop', stopRows((options) => runtime.stop(options)));
  await check('hosted.stop', stopRows((options) => hosted.stop(options)));
  hosted.send({ type: 'anything' } as never);
  assert.is(hosted.status().status, 'running', 'the refused stops stopped nothing');
  runtime.spawn(idle, { id: 'b' });
  assert.equal(await runtime.stop({ deadlineMs: Infinity }), { drained: [], cut: [], stopped: ['b', 'a'] });
});

test('serveStatus: a bad port or host is a ConfigError naming the field; no socket file is left behind', async () => {
  const runtime = createRuntime();
  await check('serveStatus', serveRows(runtime));
  assert.is(existsSync('abc'), false, "port 'abc' used to listen on a Unix socket named abc in the cwd");
  const server = await runtime.serveStatus({ port: 0, host: '127.0.0.1' });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await runtime.stop();
});

test.run();
