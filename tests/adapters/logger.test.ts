import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { childLogger, consoleLogger, isPinoLike, silentLogger, toLogger, type Logger } from '../../adapters/logger.js';

/** A real pino logger writing JSON lines into an array. */
function pinoInto(lines: Array<Record<string, unknown>>) {
  return pino({ level: 'debug', base: undefined, timestamp: false }, { write: (line: string) => void lines.push(JSON.parse(line)) });
}

test('a pino logger is taken as it is: records keep statewire message and fields', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = toLogger(pinoInto(lines));
  logger.warn('worker: backend failed', { runnerId: 'r1', error: 'ECONNREFUSED' });
  logger.info('plain');
  assert.equal(lines, [
    { level: 40, runnerId: 'r1', error: 'ECONNREFUSED', msg: 'worker: backend failed' },
    { level: 30, msg: 'plain' },
  ]);
});

test("a child logger per actor: pino's own child, or merged bindings for statewire-style loggers", () => {
  const lines: Array<Record<string, unknown>> = [];
  childLogger(pinoInto(lines), { actor: 'worker-1' }).error('boom', { code: 'X' });
  assert.equal(lines, [{ level: 50, actor: 'worker-1', code: 'X', msg: 'boom' }]);
  const seen: Array<[string, unknown]> = [];
  const ours: Logger = { debug() {}, info() {}, error() {}, warn: (message, fields) => void seen.push([message, fields]) };
  childLogger(ours, { actor: 'a' }).warn('w', { n: 1 });
  assert.equal(seen, [['w', { actor: 'a', n: 1 }]]);
  assert.is(childLogger(undefined, { actor: 'a' }), silentLogger);
});

test('statewire-style loggers and the console pass through unchanged; absent is silent', () => {
  const ours = consoleLogger('error');
  assert.is(toLogger(ours), ours);
  assert.not.ok(isPinoLike(console));
  assert.is(toLogger(console as unknown as Logger), console as unknown as Logger);
  assert.is(toLogger(undefined), silentLogger);
  const p = pinoInto([]);
  assert.ok(isPinoLike(p) && isPinoLike(p.child({ a: 1 })));
  assert.is(toLogger(p), toLogger(p), 'wrapped once');
});

test.run();
