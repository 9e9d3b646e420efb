--[[
  add: declared → waiting | ready, for a batch of jobs at once.

  KEYS[1] jobs      hash id → data
  KEYS[2] waiting   zset "<queue>#<id>" by due time
  KEYS[3] high      list of ready ids
  KEYS[4] low       list of ready ids
  ARGV[1] now (epoch ms)
  ARGV[2] notify channel
  ARGV[3+4k..6+4k] id, queue ("high"|"low"), performAt (epoch ms), data — one quadruple per job

  An id that already has data (queued, running or dead) is skipped, as is a repeat within the
  batch: a second copy could run beside the first, and the first's completion would delete the
  second's data.
  Output: number of jobs added. Publishes "1" on the notify channel when it added any.
]]
--!include chunked
local now = tonumber(ARGV[1])
local fields, delayed, high, low = {}, {}, {}, {}
local seen = {}
for i = 3, #ARGV, 4 do
  local id, queue, at = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if not seen[id] and redis.call('HEXISTS', KEYS[1], id) == 0 then
    seen[id] = true
    fields[#fields + 1] = id
    fields[#fields + 1] = ARGV[i + 3]
    if at > now then
      delayed[#delayed + 1] = at
      delayed[#delayed + 1] = queue .. '#' .. id
    elseif queue == 'high' then
      high[#high + 1] = id
    else
      low[#low + 1] = id
    end
  end
end
local count = #fields / 2
if count == 0 then return 0 end
chunked('HSET', KEYS[1], fields)
chunked('ZADD', KEYS[2], delayed)
chunked('RPUSH', KEYS[3], high)
chunked('RPUSH', KEYS[4], low)
redis.call('PUBLISH', ARGV[2], '1')
return count
