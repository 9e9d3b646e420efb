--[[
  pull: waiting → ready for due jobs (up to ARGV[3]), then ready → working for up to ARGV[2] jobs.

  KEYS[1] waiting   zset "<queue>#<id>" by due time
  KEYS[2] high      list of ready ids
  KEYS[3] low       list of ready ids
  KEYS[4] jobs      hash id → data
  KEYS[5] working   hash id → queue, of the pulling runner
  KEYS[6] alive     zset runnerId by alive deadline
  ARGV[1] now (epoch ms)
  ARGV[2] limit: most jobs to pull
  ARGV[3] promote limit
  ARGV[4] high weight w: a batch takes ceil(limit·w/(w+1)) high jobs first, fills up with low,
          then with high again — so low is never starved while high is busy
  ARGV[5] alive deadline to register the runner with when it is not in the alive set
  ARGV[6] runner id

  A runner recovered as dead while it lived (paused longer than its TTL) is no longer in the
  alive set; it is put back (ZADD NX: a live runner's deadline is never touched), or the jobs
  pulled now would be in a working set no recovery looks at, lost if it dies before its heartbeat.

  Output: { nextDueAt | "", id1, queue1, data1 | nil, id2, … }. An id without data (deleted
  meanwhile) is returned with nil data and not put into the working set.
]]
--!include promote
--!include chunked
local now, limit, weight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[6], 'NX', ARGV[5], ARGV[6])
promote(KEYS[1], KEYS[2], KEYS[3], now, tonumber(ARGV[3]))

local ids, queues = {}, {}
local function take(key, queue, count)
  if count <= 0 then return 0 end
  local got = redis.call('LPOP', key, count)
  if not got then return 0 end
  for _, id in ipairs(got) do
    ids[#ids + 1] = id
    queues[#queues + 1] = queue
  end
  return #got
end
local high = take(KEYS[2], 'high', math.ceil(limit * weight / (weight + 1)))
local low = take(KEYS[3], 'low', limit - high)
take(KEYS[2], 'high', limit - high - low)

local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local out = { next[2] or '' }
if #ids == 0 then return out end
-- HMGET in slices, like chunked(): unpack() has a C-stack limit.
local data = {}
for i = 1, #ids, 4000 do
  local slice = redis.call('HMGET', KEYS[4], unpack(ids, i, math.min(i + 3999, #ids)))
  for j = 1, #slice do data[i + j - 1] = slice[j] end
end
local working = {}
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = queues[i]
  out[#out + 1] = data[i]
  if data[i] then
    working[#working + 1] = id
    working[#working + 1] = queues[i]
  end
end
chunked('HSET', KEYS[5], working)
return out
