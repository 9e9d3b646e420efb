--[[
  fail: working → retrying → waiting, or working → dead (retries used up, or malformed data);
  then, when jobs died, trims the dead set by the retention policy (adapters/worker/retention.ts).

  KEYS[1] working   hash id → queue, of the failing runner
  KEYS[2] jobs      hash id → data
  KEYS[3] waiting   zset "<queue>#<id>" by due time
  KEYS[4] dead      zset id by time of death
  KEYS[5] errors    hash id → last error
  KEYS[6] stats     hash of counters
  ARGV[1] now (epoch ms)
  ARGV[2] maxJobs: most dead jobs kept ("" = no bound)
  ARGV[3] maxAgeMs: dead jobs older than now - maxAgeMs are deleted ("" = no bound)
  ARGV[4] trimBatch: most dead jobs deleted per call beyond those that died in it
  ARGV[5+4k..8+4k] id, data ("" keeps the stored data), retryAt ("" = dead), error

  The runner decides retry or dead with the job chart's guard (it can parse the data; a script
  must never fail on malformed data). Ids no longer in this runner's working set are ignored.
  Trimming only runs when a job died (Sidekiq's rule: the set only grows then) and deletes at most
  trimBatch + died entries, oldest first, so a backlog goes in slices and never blocks Redis long.
  Output: { jobs moved, dead jobs trimmed }.
]]
--!include chunked
local now = tonumber(ARGV[1])
local moved, died = 0, 0
for i = 5, #ARGV, 4 do
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
if died == 0 then return { moved, 0 } end
redis.call('HINCRBY', KEYS[6], 'dead', died)

local budget = tonumber(ARGV[4]) + died
local victims = {}
if ARGV[3] ~= '' then
  -- Older than the cutoff, oldest first: a prefix of the zset's order.
  victims = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - tonumber(ARGV[3])), 'LIMIT', 0, budget)
end
if ARGV[2] ~= '' and #victims < budget then
  local over = redis.call('ZCARD', KEYS[4]) - #victims - tonumber(ARGV[2])
  if over > 0 then
    -- The oldest beyond maxJobs continue right after the age victims.
    local oldest = redis.call('ZRANGE', KEYS[4], #victims, #victims + math.min(over, budget - #victims) - 1)
    for _, id in ipairs(oldest) do victims[#victims + 1] = id end
  end
end
if #victims > 0 then
  chunked('ZREM', KEYS[4], victims)
  chunked('HDEL', KEYS[2], victims)
  chunked('HDEL', KEYS[5], victims)
  redis.call('HINCRBY', KEYS[6], 'deadTrimmed', #victims)
end
return { moved, #victims }
