import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../errors/base.js';
import { closestKey, rejectUnknownKeys } from '../../errors/option-keys.js';

const known = ['deadlineMs', 'port', 'host', 'restart', 'keepStopped', 'input'];

test('closestKey: case, a typo, a swap, an extra or a missing letter', () => {
  const cases: Array<[string, string]> = [
    ['deadlineMS', 'deadlineMs'],
    ['deadline', 'deadlineMs'],
    ['prot', 'port'],
    ['hots', 'host'],
    ['restarts', 'restart'],
    ['keepstopped', 'keepStopped'],
    ['inptu', 'input'],
  ];
  for (const [key, expected] of cases) assert.is(closestKey(key, known), expected, key);
  assert.is(closestKey('anything', []), undefined);
});

test('closestKey: a huge key is compared by its head (bounded work) and still answers', () => {
  const started = Date.now();
  assert.is(closestKey(`port${'x'.repeat(1_000_000)}`, known), 'port');
  assert.ok(Date.now() - started < 1000, 'bounded');
});

test('rejectUnknownKeys: names the key, the closest known one and the known keys; passes known and inherited keys', () => {
  assert.throws(
    () => rejectUnknownKeys('serveStatus', { hostname: 'x' }, known),
    (e: unknown) => e instanceof ConfigError && e.details.option === 'hostname' && e.details.closest === 'host' && /did you mean "host"/.test(e.message),
  );
  rejectUnknownKeys('x', { port: 1, host: 'h' }, known);
  rejectUnknownKeys('x', Object.create({ inherited: 1 }), known);
});

test.run();
