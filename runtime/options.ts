import { ConfigError } from '../errors/base.js';
import { rejectUnknownKeys } from '../errors/option-keys.js';
import { validateRestartPolicy } from './restart-policy.js';
import type { StatusServerOptions } from './status-server.js';
import type { RuntimeOptions, SpawnOptions } from './types.js';

// Every option of the runtime is checked where it comes in, before anything is created: a wrong
// type, NaN, a negative number or an unknown key is a ConfigError (SW_CONFIG) whose details name
// the field (`{ where, option, got }`), never a TypeError from deep inside, a default used without a
// word, or (for `port: 'abc'`) a Unix socket named abc.

export const runtimeOptionKeys = ['inspect', 'clock', 'logger', 'restart', 'keepStopped'] as const;
export const spawnOptionKeys = ['id', 'input', 'restart', 'snapshot', 'counters'] as const;
export const stopOptionKeys = ['deadlineMs'] as const;
export const statusServerOptionKeys = ['port', 'host'] as const;
const restartPolicyKeys = ['maxRestarts', 'withinMs', 'backoffMs', 'maxBackoffMs'] as const;

/** How many stopped actors `runtime.stopped()` remembers unless `keepStopped` says otherwise. */
export const DEFAULT_KEEP_STOPPED = 100;
/** `stop()`'s deadline unless `deadlineMs` says otherwise. */
export const DEFAULT_STOP_DEADLINE_MS = 10_000;

export function checkRuntimeOptions(options: unknown): asserts options is RuntimeOptions {
  const where = 'createRuntime';
  checkObject(where, options);
  const { inspect, clock, logger, restart, keepStopped } = options as Record<string, unknown>;
  if (inspect !== undefined && typeof inspect !== 'function' && !hasFunction(inspect, ['next', 'error', 'complete'], 'some')) {
    fail(where, 'inspect', 'must be a function or an observer ({ next })', inspect);
  }
  if (clock !== undefined && !hasFunction(clock, ['setTimeout', 'clearTimeout'], 'every')) fail(where, 'clock', 'must have setTimeout and clearTimeout', clock);
  if (logger !== undefined && !hasFunction(logger, ['debug', 'info', 'warn', 'error'], 'every')) fail(where, 'logger', 'must have debug, info, warn and error', logger);
  if (restart !== undefined) checkRestartPolicy(where, restart);
  if (keepStopped !== undefined && !(Number.isSafeInteger(keepStopped) && (keepStopped as number) >= 0)) {
    fail(where, 'keepStopped', 'must be an integer >= 0', keepStopped);
  }
}

export function checkSpawn(spawnable: unknown, options: unknown): asserts options is SpawnOptions {
  const where = 'spawn';
  const isLogic = typeof spawnable === 'object' && spawnable !== null && typeof (spawnable as { transition?: unknown }).transition === 'function';
  if (typeof spawnable !== 'function' && !isLogic) fail(where, 'logic', 'must be XState logic or a facade factory', spawnable);
  if (typeof options !== 'object' || options === null) fail(where, 'options', 'must be an object with an id', options);
  checkObject(where, options, spawnOptionKeys);
  const { id, restart, snapshot, counters } = options as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0) fail(where, 'id', 'must be a non-empty string', id);
  if (restart !== undefined) checkRestartPolicy(`spawn "${id}"`, restart);
  if (snapshot !== undefined && (typeof snapshot !== 'object' || snapshot === null)) fail(where, 'snapshot', 'must be a persisted snapshot object', snapshot);
  if (counters !== undefined && typeof counters !== 'function') fail(where, 'counters', 'must be a function of the snapshot', counters);
}

/** The deadline (ms from now) of `runtime.stop(options)` or `hosted.stop(options)`. */
export function stopDeadlineMs(where: string, options: unknown): number {
  checkObject(where, options, stopOptionKeys);
  const deadlineMs = (options as { deadlineMs?: unknown } | undefined)?.deadlineMs;
  if (deadlineMs === undefined) return DEFAULT_STOP_DEADLINE_MS;
  // Infinity is allowed (wait for every drain); NaN would be a deadline that is never and always.
  if (typeof deadlineMs !== 'number' || Number.isNaN(deadlineMs) || deadlineMs < 0) fail(where, 'deadlineMs', 'must be a number >= 0 (or Infinity)', deadlineMs);
  return deadlineMs;
}

export function checkStatusServerOptions(options: unknown): asserts options is StatusServerOptions | undefined {
  const where = 'serveStatus';
  checkObject(where, options, statusServerOptionKeys);
  const { port, host } = (options ?? {}) as Record<string, unknown>;
  // A string port is how node:http is told to listen on a Unix socket path, so only numbers.
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535)) {
    fail(where, 'port', 'must be an integer from 0 to 65535', port);
  }
  if (host !== undefined && (typeof host !== 'string' || host.length === 0)) fail(where, 'host', 'must be a non-empty string', host);
}

/** A restart policy: `'never'` or `{ maxRestarts, withinMs, backoffMs, maxBackoffMs }`, each a finite number >= 0. */
function checkRestartPolicy(where: string, policy: unknown): void {
  if (policy === 'never') return;
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) fail(where, 'restart', "must be 'never' or { maxRestarts, withinMs, backoffMs, maxBackoffMs }", policy);
  rejectUnknownKeys(`${where} restart`, policy, restartPolicyKeys);
  const problem = validateRestartPolicy(policy as never);
  if (problem) throw new ConfigError(`${where}: ${problem}`, { where, option: 'restart' });
}

/** `options` absent or a plain object; with `known`, its keys must be among them. */
function checkObject(where: string, options: unknown, known: readonly string[] = runtimeOptionKeys): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail(where, 'options', 'must be an object', options);
  rejectUnknownKeys(where, options, known);
}

function hasFunction(value: unknown, names: readonly string[], how: 'some' | 'every'): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names[how]((name) => typeof record[name] === 'function');
}

function fail(where: string, option: string, rule: string, value: unknown): never {
  const got = preview(value);
  throw new ConfigError(`${where}: ${option} ${rule} (got ${got})`, { where, option, got });
}

/** A short, safe description of a bad value for the message (never its whole contents). */
function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return String(value);
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : 'an object';
}
