import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { startRedis } from '../helpers/redis.js';

// The helper every Redis suite relies on: a private server it can crash, freeze and bring back.
test('startRedis: a private server on a free loopback port that can be killed, frozen and restarted', async () => {
  const redis = await startRedis();
  if (!redis) return; // no redis-server here (and not CI): startRedis printed the notice
  if (!redis.owned) return; // REDIS_URL given: nothing of ours to kill
  const client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 50, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    await client.set('k', 'v');
    assert.is(await client.get('k'), 'v');
    assert.is(await client.config('GET', 'save').then((r) => (r as string[])[1]), '', 'keeps nothing on disk');

    await redis.kill('SIGSTOP');
    const frozen = await Promise.race([client.ping().then(() => 'answered'), new Promise((r) => setTimeout(() => r('frozen'), 200))]);
    assert.is(frozen, 'frozen');
    await redis.kill('SIGCONT');
    assert.is(await client.ping(), 'PONG', 'the queued command completes after SIGCONT');

    await redis.kill('SIGKILL');
    await redis.restart();
    assert.is(await client.ping(), 'PONG', 'reconnected to the restarted server');
    assert.is(await client.get('k'), null, 'a restarted server starts empty');
  } finally {
    client.disconnect();
    await redis.stop();
  }
});

test.run();
