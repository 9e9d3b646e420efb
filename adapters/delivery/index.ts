export type { CreateResult, StoredStatus, StoredTask, TaskStore } from './task-store.js';
export { memoryStore } from './memory.js';
export { fileStore, type FileTaskStore } from './file.js';
export { redisStore, type RedisStoreOptions } from './redis.js';
