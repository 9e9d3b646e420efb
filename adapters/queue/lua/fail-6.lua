--[[
  fail: working → retrying → waiting, or working → dead (retries used up, or malformed data).

  KEYS[1] working   hash id → queue, of the failing runner
  KEYS[2] jobs      hash id → data
  KEYS[3] waiting   zset "<queue>#<id>" by due time
  KEYS[4] dead      zset id by time of death
  KEYS[5] errors    hash id → last error
  KEYS[6] stats     hash of counters
  ARGV[1] now (epoch ms)
  ARGV[2+4k..5+4k] id, data ("" keeps the stored data), retryAt ("" = dead), error

  The runner decides retry or dead with the job chart's guard (it can parse the data; a script
  must never fail on malformed data). Ids no longer in this runner's working set are ignored.
  Output: number of jobs moved.
]]
local now = tonumber(ARGV[1])
local moved, died = 0, 0
for i = 2, #ARGV, 4 do
  local id, data, retryAt, err = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local queue = redis.call('HGET', KEYS[1], id)
  if queue then
    redis.call('HDEL', KEYS[1], id)
    if data ~= '' then redis.call('HSET', KEYS[2], id, data) end
    redis.call('HSET', KEYS[5], id, err)
    if retryAt == '' then
      redis.call('ZADD', KEYS[4], now, id)
      died = died + 1
    else
      redis.call('ZADD', KEYS[3], tonumber(retryAt), queue .. '#' .. id)
    end
    moved = moved + 1
  end
end
if moved > 0 then redis.call('HINCRBY', KEYS[6], 'failed', moved) end
if died > 0 then redis.call('HINCRBY', KEYS[6], 'dead', died) end
return moved
