import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { isStatewireError } from '../../../errors/base.js';
import type { RetryMessage, RetryStore } from '../../../adapters/link/retry-store.js';

export interface StoreFixture {
  /** A fresh, empty store with `capacity`. */
  make(capacity: number): Promise<RetryStore>;
  /** Releases everything `make` created. */
  cleanup(): Promise<void>;
}

export const message = (order: number, createdAt = 1_000 + order): RetryMessage => ({
  id: `m-${order}`,
  order,
  frame: JSON.stringify({ v: 2, id: `m-${order}`, type: 'task.log' }),
  attempt: 0,
  createdAt,
});

/** The contract every RetryStore meets. Registers its tests on `suite` (default: uvu's). */
export function retryStoreContract(name: string, fixture: StoreFixture, test = uvuTest): void {
  test.after(() => fixture.cleanup());

  test(`${name}: keeps messages in order and peeks without removing`, async () => {
    const store = await fixture.make(10);
    for (const order of [1, 2, 3]) store.put(message(order));
    assert.is(store.size(), 3);
    assert.equal((await store.peek(2)).map((m) => m.id), ['m-1', 'm-2']);
    assert.equal((await store.peek(10)).map((m) => m.order), [1, 2, 3]);
    assert.equal(await store.peek(10), [message(1), message(2), message(3)]);
    await store.close();
  });

  test(`${name}: sorts by order, not arrival (spilled reports keep their place)`, async () => {
    const store = await fixture.make(10);
    for (const order of [5, 7, 2, 6]) store.put(message(order));
    assert.equal((await store.peek(10)).map((m) => m.order), [2, 5, 6, 7]);
    assert.is(store.maxOrder(), 7);
    await store.close();
  });

  test(`${name}: peeks and counts after a cursor`, async () => {
    const store = await fixture.make(10);
    for (const order of [1, 2, 3, 4]) store.put(message(order));
    assert.equal((await store.peek(10, 2)).map((m) => m.order), [3, 4]);
    assert.is(store.sizeAfter(2), 2);
    assert.is(store.sizeAfter(-1), 4);
    await store.close();
  });

  test(`${name}: removes by order, ignores unknown orders`, async () => {
    const store = await fixture.make(10);
    for (const order of [1, 2, 3]) store.put(message(order));
    store.remove([2, 99]);
    assert.equal((await store.peek(10)).map((m) => m.order), [1, 3]);
    store.remove([1, 3]);
    assert.is(store.size(), 0);
    assert.is(store.maxOrder(), -1);
    assert.equal(await store.peek(10), []);
    await store.close();
  });

  test(`${name}: refuses past capacity with a typed error`, async () => {
    const store = await fixture.make(2);
    store.put(message(1));
    store.put(message(2));
    try {
      store.put(message(3));
      assert.unreachable('put past capacity must throw');
    } catch (error) {
      assert.ok(isStatewireError(error));
      assert.is((error as { code: string }).code, 'SW_LINK_RETRY_STORE_FULL');
    }
    assert.is(store.size(), 2);
    await store.close();
  });

  test(`${name}: expires messages made before a cutoff, after a cursor only`, async () => {
    const store = await fixture.make(10);
    store.put(message(1, 100));
    store.put(message(2, 100));
    store.put(message(3, 500));
    const expired = await store.expire(200, 1);
    assert.equal(expired.map((m) => m.id), ['m-2']);
    assert.equal((await store.peek(10)).map((m) => m.order), [1, 3]);
    await store.close();
  });
}
