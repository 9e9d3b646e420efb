import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import { fakeSocket } from './helpers/outbox-fakes.js';
import { Outbox } from '../../actors/link/outbox.js';

/** Unit tests of the outbox with a fake socket (integration tests use the real one). */
function harness(ttlMs = 60_000, maxInFlight = 1000) {
  let time = 1_000;
  const written: string[] = [];
  const dropped: string[] = [];
  const writer = fakeSocket((text) => written.push(text));
  const outbox = new Outbox({
    memory: new MemoryRetryStore(10),
    idPrefix: 'p-',
    maxRetries: 3,
    ttlMs,
    warningThreshold: 100,
    batchLoadSize: 100,
    maxInFlight,
    now: () => time,
    onDropped: (message, reason) => dropped.push(`${message.id}:${reason}`),
    onWarning: () => {},
    onWriteFailed: () => {},
  });
  const report = (text: string) => {
    const order = outbox.reserve();
    outbox.submit(order, text);
    return outbox.idFor(order);
  };
  return { outbox, writer, written, dropped, report, advance: (ms: number) => (time += ms) };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

test('outbox: open and nothing queued → written at once, in flight until acked', async () => {
  const h = harness();
  h.outbox.attach(h.writer);
  const id = h.report('a');
  assert.equal(h.written, ['a']);
  assert.is(h.outbox.gauges().inFlight, 1);
  h.outbox.ack(id);
  h.outbox.ack(id); // a second ack changes nothing
  assert.is(h.outbox.gauges().inFlight, 0);
  assert.is(h.outbox.counts.acked, 1);
  await h.outbox.whenSettled();
});

test('outbox: queued while down, sent in order after attach; unacked ones re-sent after a reconnect', async () => {
  const h = harness();
  const ids = ['a', 'b', 'c'].map(h.report);
  assert.equal(h.written, []);
  h.outbox.attach(h.writer);
  await settle();
  assert.equal(h.written, ['a', 'b', 'c']);
  h.outbox.ack(ids[0]!);
  h.outbox.detach();
  const d = h.report('d');
  h.outbox.attach(h.writer);
  await settle();
  assert.equal(h.written, ['a', 'b', 'c', 'b', 'c', 'd']);
  assert.is(h.outbox.counts.resent, 2);
  for (const id of [ids[1]!, ids[2]!, d]) h.outbox.ack(id);
  await h.outbox.whenSettled();
});

test('regression: a report queued while the pump is peeking is not stranded', async () => {
  const h = harness(10);
  h.report('old');
  h.advance(100);
  await h.outbox.expire(); // the queue is empty again, but the backlog flag is still up
  assert.equal(h.dropped, ['p-0:ttl']);
  h.outbox.attach(h.writer); // the pump starts and awaits its first peek…
  h.report('fresh'); // …while a new report queues behind it
  await settle();
  await settle();
  assert.equal(h.written, ['fresh']);
});

test('outbox: at most maxInFlight unacked; the rest queue and go, in order, as acks free half the window', async () => {
  const h = harness(60_000, 4);
  h.outbox.attach(h.writer);
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(h.report);
  assert.equal(h.written, ['a', 'b', 'c', 'd']);
  assert.is(h.outbox.gauges().memory, 3);
  h.outbox.ack(ids[0]!);
  await settle();
  assert.equal(h.written, ['a', 'b', 'c', 'd'], 'one free slot: not yet');
  h.outbox.ack(ids[1]!);
  await settle();
  assert.equal(h.written, ['a', 'b', 'c', 'd', 'e', 'f']);
  const late = h.report('h'); // queues behind g
  for (const id of ids.slice(2, 6)) h.outbox.ack(id);
  await settle();
  assert.equal(h.written.slice(6), ['g', 'h']);
  h.outbox.ack(ids[6]!);
  h.outbox.ack(late);
  await h.outbox.whenSettled();
});

test('regression: the TTL sweep also drops a report in flight past its TTL (one never acked on a live connection stayed forever)', async () => {
  const h = harness(1_000);
  h.outbox.attach(h.writer);
  const stale = h.report('never acked');
  h.advance(600);
  const fresh = h.report('fresh');
  h.advance(600);
  await h.outbox.expire();
  assert.equal(h.dropped, [`${stale}:ttl`]);
  assert.is(h.outbox.gauges().inFlight, 1);
  h.outbox.ack(fresh);
  await h.outbox.whenSettled();
});

test.run();
