import { Redis } from 'ioredis';
import { redisQueue } from '../../adapters/worker/redis.js';
import type { DeadRetentionOptions } from '../../adapters/worker/retention.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { queueContract } from './helpers/contract.js';
import { retentionContract } from './helpers/contract-retention.js';

let server: TestRedis | undefined;
let redis: Redis | undefined;
let n = 0;

async function make(options: DeadRetentionOptions = {}) {
  server ??= await startRedis();
  if (!server) throw new Error('redis-server missing');
  redis ??= new Redis(server.url);
  return redisQueue(redis, { name: `contract${n++}`, ...options });
}

// Suites run one after the other: only the last one stops the server.
queueContract('redis', { make }).run();
retentionContract('redis', {
  make,
  async after() {
    redis?.disconnect();
    await server?.stop();
  },
}).run();
