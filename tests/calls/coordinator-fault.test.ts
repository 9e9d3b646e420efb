import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { sleep } from '../helpers/ports.js';
import { startPeers, type CallsPeers } from './helpers/peers.js';

let peers: CallsPeers;
test.before(async () => {
  peers = await startPeers(3, {
    registry: { healthCheckIntervalMs: 30, heartbeatTtlMs: 0 },
    healthCheckTimeoutMs: 200,
    breaker: { maxFailures: 2, timeoutMs: 100 },
    client: { requestTimeoutMs: 500 },
  });
});
test.after(() => peers.close());

test('an instance flapping under load: every call is answered, none is lost', async () => {
  const flaky = peers.services[1]!;
  const CALLS = 400;
  let left = CALLS;
  let answered = 0;
  const errors: unknown[] = [];
  let load = true;
  const flapping = (async () => {
    // Bounded: at most 8 flips, 60 ms apart.
    for (let flip = 0; flip < 8 && load; flip++) {
      if (flip % 2 === 0) await flaky.down();
      else await flaky.up();
      await sleep(60);
    }
    await flaky.up();
  })();
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0 && Date.now() - started < 15_000) {
        try {
          await peers.coordinator.executeAgent('agents', 'sleep', { task: 'x', context: { ms: 2 } });
          answered++;
        } catch (error) {
          errors.push(error);
        }
      }
    }),
  );
  load = false;
  await flapping;
  assert.equal(errors.map(String), []);
  assert.is(answered, CALLS);
  const counters = peers.coordinator.counters();
  assert.is(counters.succeeded, CALLS);
  assert.is(counters.in_flight, 0);
  assert.ok(counters.failovers >= 1, 'the flapping instance made calls fail over');
  assert.ok(peers.services.reduce((n, s) => n + s.stats.calls, 0) >= CALLS);
});

test.run();
