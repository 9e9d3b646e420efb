export type * from './types.js';
export { queueNames } from './types.js';
export { queueKeys, type QueueKeys } from './keys.js';
export { memoryQueue, type MemoryQueueOptions } from './memory.js';
export { redisQueue, type RedisQueueOptions } from './redis.js';
export { redisLock, withRedisLock, type Unlock } from './lock.js';
export { encodeJob, decodeJob } from './codec.js';
export { defaultDeadRetention, resolveRetention, type DeadRetention, type DeadRetentionOptions } from './retention.js';
