--[[
  state: where one job is (read only; for tests, status and the model walk).

  KEYS[1] jobs      hash id → data
  KEYS[2] waiting   zset "<queue>#<id>"
  KEYS[3] high      list
  KEYS[4] low       list
  KEYS[5] dead      zset
  KEYS[6] alive     zset runnerId
  ARGV[1] id
  ARGV[2] working key prefix (derived keys, same hash tag)

  Output: "waiting" | "ready" | "working" | "dead" | "orphan" (data but in no set) | nil (done).
]]
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[1], id) == 0 then return false end
if redis.call('ZSCORE', KEYS[5], id) then return 'dead' end
if redis.call('ZSCORE', KEYS[2], 'high#' .. id) or redis.call('ZSCORE', KEYS[2], 'low#' .. id) then return 'waiting' end
if redis.call('LPOS', KEYS[3], id) or redis.call('LPOS', KEYS[4], id) then return 'ready' end
for _, runner in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  if redis.call('HEXISTS', ARGV[2] .. runner, id) == 1 then return 'working' end
end
return 'orphan'
