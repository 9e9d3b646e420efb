import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DueHeap } from '../../adapters/worker/due-heap.js';

test('pops by time, ties by the tie order, whatever the push order (against a sort)', () => {
  let seed = 3;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  type Item = { at: number; member: string };
  const tie = (a: Item, b: Item) => a.member < b.member;
  const order = (a: Item, b: Item) => a.at - b.at || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);
  const heap = new DueHeap<Item>(tie);
  const model: Item[] = [];
  for (let round = 0; round < 50; round++) {
    for (let i = 0, n = Math.floor(random() * 200); i < n; i++) {
      const item = { at: Math.floor(random() * 30), member: `m${Math.floor(random() * 1e6)}-${round}-${i}` };
      heap.push(item.at, item);
      model.push(item);
    }
    model.sort(order);
    for (let i = 0, n = Math.floor(random() * 150); i < n && model.length > 0; i++) {
      assert.is(heap.peekTime(), model[0]!.at);
      assert.equal(heap.pop(), model.shift());
    }
    assert.is(heap.size, model.length);
  }
  while (model.length > 0) assert.equal(heap.pop(), model.shift());
  assert.is(heap.pop(), undefined);
  assert.is(heap.peekTime(), undefined);
  assert.is(heap.size, 0);
});

test.run();
