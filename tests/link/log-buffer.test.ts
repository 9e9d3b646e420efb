import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { LogBuffer } from '../../actors/link/log-buffer.js';

const buffer = (maxBytes = 4096, flushMs = 1000) => {
  const clock = new SimulatedClock();
  const flushed: string[] = [];
  return { clock, flushed, log: new LogBuffer('r', 't', (content) => flushed.push(content), clock, maxBytes, flushMs) };
};

test('log buffer: lines wait up to flushMs, then leave as one report', () => {
  const { clock, flushed, log } = buffer();
  log.write('a');
  clock.increment(500);
  log.write('b');
  clock.increment(499);
  assert.equal(flushed, []);
  clock.increment(1);
  assert.equal(flushed, ['a\nb'], 'the first line waited 1 s; the second rode along');
  clock.increment(5000);
  assert.equal(flushed, ['a\nb'], 'no empty flushes');
});

test('log buffer: a full buffer (bytes, UTF-8) flushes at once', () => {
  const { flushed, log } = buffer(8);
  log.write('héllo'); // 6 bytes + newline
  assert.equal(flushed, []);
  log.write('x');
  assert.equal(flushed, ['héllo\nx']);
  assert.is(log.pendingBytes, 0);
});

test('log buffer: close flushes; later lines go out at once', () => {
  const { clock, flushed, log } = buffer();
  log.write('last words');
  log.close();
  assert.equal(flushed, ['last words']);
  log.write('after');
  assert.equal(flushed, ['last words', 'after']);
  clock.increment(2000);
  assert.is(flushed.length, 2);
});

test.run();
