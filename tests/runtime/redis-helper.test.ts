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

test('startRedis without a redis-server binary: skips with a notice, but throws under CI=true', async () => {
  const saved = { PATH: process.env.PATH, CI: process.env.CI, REDIS_URL: process.env.REDIS_URL };
  const warn = console.warn;
  const notices: string[] = [];
  try {
    process.env.PATH = '/nonexistent-statewire-path';
    delete process.env.REDIS_URL;
    console.warn = (...args: unknown[]) => void notices.push(args.join(' '));
    process.env.CI = 'true';
    let error: unknown;
    await startRedis().catch((e: unknown) => (error = e));
    assert.match(String(error), 'CI=true');
    delete process.env.CI;
    assert.is(await startRedis(), undefined);
  } finally {
    console.warn = warn;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  // At most one notice per process (another suite may have printed it already), and a loud one.
  assert.ok(notices.every((n) => /SKIPPING the Redis tests/.test(n)));
});

test('startRedis with REDIS_URL uses that server and refuses to kill or restart it', async () => {
  const saved = process.env.REDIS_URL;
  try {
    process.env.REDIS_URL = 'redis://127.0.0.1:6390';
    const redis = await startRedis();
    assert.equal({ url: redis?.url, port: redis?.port, owned: redis?.owned }, { url: 'redis://127.0.0.1:6390', port: 6390, owned: false });
    let error: unknown;
    await redis?.kill('SIGKILL').catch((e: unknown) => (error = e));
    assert.match(String(error), 'REDIS_URL is set');
    await redis?.stop();
  } finally {
    if (saved === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = saved;
  }
});

test.run();
