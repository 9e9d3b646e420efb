/**
 * The Redis task store's state changes, one Lua script each so every change is atomic. Every key
 * of one store shares the hash tag `{prefix}`, so the scripts run on Redis Cluster too.
 *
 * Keys: `{p}:seq` id counter · `{p}:task:<id>` hash {json, biz} · `{p}:biz` hash business key → id
 * · `{p}:due` zset of sending/failure ids by nextRetryTime · `{p}:st:<status>` zset of ids by requestTime.
 */

/**
 * createTask-4
 * KEYS[1] biz hash · KEYS[2] task hash · KEYS[3] due zset · KEYS[4] status zset of the new task
 * ARGV[1] business key · ARGV[2] task json · ARGV[3] id · ARGV[4] nextRetryTime · ARGV[5] requestTime
 * ARGV[6] '1' when the task is incomplete (sending/failure)
 * Returns {1, id} when created, {0, existing id} when the business key was taken.
 */
export const createTaskLua = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, existing} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], 'json', ARGV[2], 'biz', ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
if ARGV[6] == '1' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3]) end
return {1, ARGV[3]}
`;

/**
 * updateTask-6
 * KEYS[1] task hash · KEYS[2] due zset · KEYS[3..6] status zsets sending, success, failure, stopped
 * ARGV[1] id · ARGV[2] task json · ARGV[3] status index 1..4 (order of KEYS[3..6])
 * ARGV[4] nextRetryTime · ARGV[5] requestTime · ARGV[6] '1' when incomplete
 * Returns 1, or 0 (nothing written) when the task no longer exists.
 */
export const updateTaskLua = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2])
for i = 3, 6 do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[2 + tonumber(ARGV[3])], ARGV[5], ARGV[1])
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
`;

/**
 * deleteTask-7
 * KEYS[1] task hash · KEYS[2] biz hash · KEYS[3] due zset · KEYS[4..7] status zsets
 * ARGV[1] id
 * Returns 1, or 0 when there was no such task.
 */
export const deleteTaskLua = `
local biz = redis.call('HGET', KEYS[1], 'biz')
if not biz then return 0 end
if redis.call('HGET', KEYS[2], biz) == ARGV[1] then redis.call('HDEL', KEYS[2], biz) end
redis.call('DEL', KEYS[1])
for i = 3, 7 do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;
