import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InFlightWindow, type InFlight } from '../../actors/link/in-flight.js';

const ORIGIN = 1_700_000_000_000_000;
const windowOf = () => new InFlightWindow('p-', ORIGIN);
const entry = (w: InFlightWindow, order: number, id = w.idFor(order)): InFlight => ({ id, order, frame: '', attempt: 0, createdAt: 0, home: 'none' });

test('in-flight window: ids carry the order as a small integer; lookup by id', () => {
  const w = windowOf();
  assert.is(w.idFor(ORIGIN), 'p-0');
  assert.is(w.idFor(ORIGIN + 36), 'p-10');
  const a = entry(w, ORIGIN + 5);
  w.add(a);
  assert.is(w.get('p-5'), a);
  assert.is(w.get('p-6'), undefined);
  assert.is(w.get('other-5'), undefined);
});

test('in-flight window: acks in any order; values stay in order; size counts', () => {
  const w = windowOf();
  const entries = [0, 1, 2, 3, 5, 8].map((n) => entry(w, ORIGIN + n));
  for (const e of entries) w.add(e);
  assert.is(w.size, 6);
  w.delete(entries[2]!);
  w.delete(entries[0]!);
  assert.equal(w.values().map((e) => e.order - ORIGIN), [1, 3, 5, 8]);
  for (const e of entries) w.delete(e);
  assert.is(w.size, 0);
  assert.equal(w.values(), []);
});

test('in-flight window: foreign ids (another process, from disk) and far jumps use the side table, in order', () => {
  const w = windowOf();
  const foreign = entry(w, ORIGIN - 100, 'old-process-7');
  const near = entry(w, ORIGIN + 1);
  const far = entry(w, ORIGIN + 1 + 100_000);
  for (const e of [foreign, near, far]) w.add(e);
  assert.is(w.get('old-process-7'), foreign);
  assert.is(w.get(far.id), far);
  assert.equal(w.values().map((e) => e.id), [foreign.id, near.id, far.id]);
  w.delete(foreign);
  w.delete(far);
  assert.is(w.size, 1);
});

test('in-flight window: compacts after many acks without losing entries', () => {
  const w = windowOf();
  const entries = Array.from({ length: 20_000 }, (_, i) => entry(w, ORIGIN + i));
  for (const e of entries) w.add(e);
  for (const e of entries.slice(0, 19_990)) w.delete(e);
  assert.is(w.size, 10);
  assert.is(w.get(entries[19_995]!.id), entries[19_995]);
  const next = entry(w, ORIGIN + 20_000);
  w.add(next);
  assert.is(w.get(next.id), next);
  assert.is(w.values().length, 11);
});

test('regression: one report never acked does not pin the window (its slot array grew by one per report sent after it)', () => {
  const w = windowOf();
  const stuck = entry(w, ORIGIN);
  w.add(stuck);
  for (let i = 1; i <= 200_000; i++) {
    const e = entry(w, ORIGIN + i);
    w.add(e);
    w.delete(e);
  }
  const slots = (w as unknown as { slots: unknown[] }).slots.length;
  assert.ok(slots < 20_000, `slot array of ${slots}`);
  assert.is(w.size, 1);
  assert.is(w.get(stuck.id), stuck);
  const next = entry(w, ORIGIN + 200_001);
  w.add(next);
  assert.equal(w.values(), [stuck, next]);
  w.delete(stuck);
  assert.equal(w.values(), [next]);
});

test.run();
