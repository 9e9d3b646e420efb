import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimeIndex } from '../../adapters/delivery/time-index.js';

type Pair = [time: number, id: number];
const byTime = (a: Pair, b: Pair) => a[0] - b[0] || a[1] - b[1];

const contents = (index: TimeIndex, limit = Infinity) => {
  const out: Pair[] = [];
  index.walk((time, id) => out.push([time, id]) < limit);
  return out;
};

test('walks by time, ties by id, stops when told; adding a pair twice keeps one', () => {
  const index = new TimeIndex();
  for (const [time, id] of [[20, 3], [20, 1], [10, 2], [5, 4], [Infinity, 9]] as Pair[]) index.add(time, id);
  index.add(10, 2);
  assert.is(index.size, 5);
  assert.equal(contents(index), [[5, 4], [10, 2], [20, 1], [20, 3], [Infinity, 9]]);
  assert.equal(contents(index, 2), [[5, 4], [10, 2]]);
  assert.ok(index.delete(20, 1));
  assert.not.ok(index.delete(20, 1), 'gone');
  assert.not.ok(index.delete(21, 3), 'found by time and id together');
  assert.equal(contents(index), [[5, 4], [10, 2], [20, 3], [Infinity, 9]]);
  assert.is(index.size, 4);
});

test('stays sorted and complete through 60 000 random adds, moves and deletes across many blocks (against a sort)', () => {
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const index = new TimeIndex();
  const model = new Map<number, number>(); // id → time
  const expected = () => [...model].map(([id, time]) => [time, id] as Pair).sort(byTime);
  for (let step = 0; step < 60_000; step++) {
    const id = Math.floor(random() * 5000); // ~10 blocks of 512: splits and merges happen
    const time = model.get(id);
    if (time !== undefined && random() < (step < 30_000 ? 0.3 : 0.7)) {
      // The second half mostly deletes: blocks shrink, merge and vanish.
      assert.ok(index.delete(time, id));
      model.delete(id);
    } else {
      if (time !== undefined) assert.ok(index.delete(time, id)); // a task whose time changed
      const next = Math.floor(random() * 100); // many ties
      index.add(next, id);
      model.set(id, next);
    }
    if (step % 4999 === 0) assert.equal(contents(index), expected(), `step ${step}`);
  }
  assert.equal(contents(index), expected());
  assert.is(index.size, model.size);
  for (const [id, time] of [...model]) assert.ok(index.delete(time, id));
  assert.is(index.size, 0);
  assert.equal(contents(index), []);
  assert.not.ok(index.delete(1, 1));
});

test.run();
