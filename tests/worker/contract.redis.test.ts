import { Redis } from 'ioredis';
import { redisQueue } from '../../adapters/queue/redis.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { queueContract } from './helpers/contract.js';

let server: TestRedis | undefined;
let redis: Redis | undefined;
let n = 0;

const contract = queueContract('redis', {
  async make() {
    server ??= await startRedis();
    if (!server) throw new Error('redis-server missing');
    redis ??= new Redis(server.url);
    return redisQueue(redis, { name: `contract${n++}` });
  },
  async after() {
    redis?.disconnect();
    await server?.stop();
  },
});
contract.run();
