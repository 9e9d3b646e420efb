import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { redisLock, withRedisLock } from '../../adapters/worker/lock.js';
import { ErrLockerAlreadySet } from '../../errors/worker.js';
import { sleep } from '../helpers/ports.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

/** The seed's RedisLock: SET NX PX, released only by its holder. */
let server: TestRedis | undefined;
let redis: Redis | undefined;
test.before(async () => {
  server = await startRedis();
  if (server) redis = new Redis(server.url);
});
test.after(async () => {
  redis?.disconnect();
  await server?.stop();
});

test('a held lock refuses a second owner with ErrLockerAlreadySet, and frees on unlock', async () => {
  if (!redis) return;
  const unlock = await redisLock(redis, 'lock:a', 5000);
  try {
    await redisLock(redis, 'lock:a', 5000);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ErrLockerAlreadySet);
    assert.is((error as ErrLockerAlreadySet).code, 'SW_WORKER_LOCK_HELD');
  }
  assert.ok(await unlock());
  const again = await redisLock(redis, 'lock:a', 5000);
  assert.ok(await again());
});

test('an expired lock taken by someone else is not released by the old holder', async () => {
  if (!redis) return;
  const stale = await redisLock(redis, 'lock:b', 30);
  await sleep(60);
  const fresh = await redisLock(redis, 'lock:b', 5000);
  assert.not.ok(await stale(), 'token mismatch: nothing deleted');
  assert.ok(await redis.exists('lock:b'));
  assert.ok(await fresh());
});

test('withRedisLock runs the function under the lock and releases it even when it throws', async () => {
  if (!redis) return;
  const inside = await withRedisLock(redis, 'lock:c', 5000, async () => {
    const contended = await withRedisLock(redis!, 'lock:c', 5000, async () => 'never');
    return contended.acquired;
  });
  assert.equal(inside, { acquired: true, result: false });
  try {
    await withRedisLock(redis, 'lock:c', 5000, async () => {
      throw new Error('inside');
    });
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).message, 'inside');
  }
  assert.is(await redis.exists('lock:c'), 0);
});

test.run();
