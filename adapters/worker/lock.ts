import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ErrLockerAlreadySet } from '../../errors/worker.js';

/**
 * The seed's RedisLock: `SET key token NX PX ttl`, released only by its holder (the token is
 * compared in Lua, so a lock that expired and was taken by someone else is never deleted).
 */
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type Unlock = () => Promise<boolean>;

/** Takes the lock or throws `ErrLockerAlreadySet`. Resolves to the release function. */
export async function redisLock(redis: Redis, key: string, ttlMs: number, token: string = randomUUID()): Promise<Unlock> {
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') throw new ErrLockerAlreadySet(key);
  return async () => (await redis.eval(releaseScript, 1, key, token)) === 1;
}

/**
 * Runs `fn` while holding the lock (the seed's RedisLockerE). `{ acquired: false }` when someone
 * else holds it; the lock is released after `fn`, whether it resolved or threw.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  fn: () => Promise<T>,
): Promise<{ acquired: true; result: T } | { acquired: false }> {
  let unlock: Unlock;
  try {
    unlock = await redisLock(redis, key, ttlMs);
  } catch (error) {
    if (error instanceof ErrLockerAlreadySet) return { acquired: false };
    throw error;
  }
  try {
    return { acquired: true, result: await fn() };
  } finally {
    await unlock().catch(() => false);
  }
}
