import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Fifo } from '../../adapters/worker/fifo.js';

test('push, shift and unshift keep FIFO order with jobs handed back at the front (against an array)', () => {
  let seed = 11;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const fifo = new Fifo<number>();
  const model: number[] = [];
  let next = 0;
  for (let step = 0; step < 50_000; step++) {
    const r = random();
    if (r < 0.45) {
      fifo.push(next);
      model.push(next++);
    } else if (r < 0.6) {
      fifo.unshift(next);
      model.unshift(next++);
    } else assert.is(fifo.shift(), model.shift());
    if (step % 4999 === 0) assert.is(fifo.length, model.length, `step ${step}`);
  }
  assert.ok(model.length > 0 && fifo.includes(model[model.length - 1]!));
  while (model.length > 0) assert.is(fifo.shift(), model.shift());
  assert.is(fifo.shift(), undefined);
  assert.not.ok(fifo.includes(0));
});

test('regression (issue 22): handing 50 000 jobs back to the front of a 200 000-job ready queue is not O(n) each', () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 200_000; i++) fifo.push(i);
  const start = performance.now();
  for (let i = 0; i < 50_000; i++) fifo.unshift(-i);
  // Array.unshift here moved the whole queue per job: seconds. Room made once: a few milliseconds.
  assert.ok(performance.now() - start < 1000, `took ${(performance.now() - start).toFixed(0)} ms`);
  assert.is(fifo.length, 250_000);
  assert.is(fifo.shift(), -49_999);
});

test.run();
