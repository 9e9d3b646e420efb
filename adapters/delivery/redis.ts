import type { Redis } from 'ioredis';
import { createTaskLua, deleteTaskLua, updateTaskLua } from './redis-scripts.js';
import { businessKey, isIncomplete, storedStatuses, type CreateResult, type StoredStatus, type StoredTask, type TaskStore } from './task-store.js';

/**
 * The task store in Redis (ioredis): shared by restarts of the sender and durable as far as the
 * Redis server is (AOF / replication are its operator's choice). Each change is one Lua script
 * (redis-scripts.ts). The client stays the caller's: `close()` does not quit it.
 */
export interface RedisStoreOptions {
  /** Key prefix, used as the hash tag of every key. Default `statewire:delivery`. */
  prefix?: string;
}

interface ScriptCommands {
  swDeliveryCreate(...args: Array<string | number>): Promise<[number, string]>;
  swDeliveryUpdate(...args: Array<string | number>): Promise<number>;
  swDeliveryDelete(...args: Array<string | number>): Promise<number>;
}

export function redisStore<T extends StoredTask = StoredTask>(redis: Redis, options: RedisStoreOptions = {}): TaskStore<T> {
  const tag = `{${options.prefix ?? 'statewire:delivery'}}`;
  const keys = {
    seq: `${tag}:seq`,
    biz: `${tag}:biz`,
    due: `${tag}:due`,
    task: (id: number | string) => `${tag}:task:${id}`,
    status: (status: StoredStatus) => `${tag}:st:${status}`,
  };
  const statusKeys = storedStatuses.map(keys.status);
  const scripted = redis as unknown as Redis & ScriptCommands;
  if (typeof scripted.swDeliveryCreate !== 'function') {
    redis.defineCommand('swDeliveryCreate', { numberOfKeys: 4, lua: createTaskLua });
    redis.defineCommand('swDeliveryUpdate', { numberOfKeys: 6, lua: updateTaskLua });
    redis.defineCommand('swDeliveryDelete', { numberOfKeys: 7, lua: deleteTaskLua });
  }

  const read = async (id: number | string): Promise<T | undefined> => {
    const json = await redis.hget(keys.task(id), 'json');
    return json === null ? undefined : (JSON.parse(json) as T);
  };

  return {
    async createTask(draft): Promise<CreateResult<T>> {
      const biz = businessKey(draft.businessType, draft.businessId);
      const known = await redis.hget(keys.biz, biz);
      if (known !== null) {
        const task = await read(known);
        if (task) return { task, created: false };
      }
      const id = await redis.incr(keys.seq);
      const task = { ...draft, id } as T;
      const [created, existingId] = await scripted.swDeliveryCreate(
        keys.biz, keys.task(id), keys.due, keys.status(task.status),
        biz, JSON.stringify(task), id, task.nextRetryTime, task.requestTime, isIncomplete(task.status) ? '1' : '0',
      );
      if (created === 1) return { task, created: true };
      const existing = await read(existingId);
      if (!existing) throw new Error(`task ${existingId} vanished while creating ${draft.businessType}/${draft.businessId}`);
      return { task: existing, created: false };
    },
    async deleteTask(id) {
      await scripted.swDeliveryDelete(keys.task(id), keys.biz, keys.due, ...statusKeys, id);
    },
    async incompleteTaskIds(now, limit = 1000) {
      const ids = await redis.zrangebyscore(keys.due, '-inf', now, 'LIMIT', 0, limit);
      return ids.map(Number);
    },
    async taskIdsToClean(status, before, limit = 1000) {
      const ids = await redis.zrangebyscore(keys.status(status), '-inf', `(${before}`, 'LIMIT', 0, limit);
      return ids.map(Number);
    },
    taskDetail: (id) => read(id),
    async taskDetailByBusiness(businessType, businessId) {
      const id = await redis.hget(keys.biz, businessKey(businessType, businessId));
      return id === null ? undefined : read(id);
    },
    async updateTask(task) {
      const written = await scripted.swDeliveryUpdate(
        keys.task(task.id), keys.due, ...statusKeys,
        task.id, JSON.stringify(task), storedStatuses.indexOf(task.status) + 1, task.nextRetryTime, task.requestTime,
        isIncomplete(task.status) ? '1' : '0',
      );
      return written === 1;
    },
    async countByStatus() {
      const counts = await Promise.all(statusKeys.map((key) => redis.zcard(key)));
      return Object.fromEntries(storedStatuses.map((status, i) => [status, counts[i] ?? 0])) as Record<StoredStatus, number>;
    },
    async close() {},
  };
}
