--[[
  recover: working → ready for every runner whose alive deadline passed (crashed, killed -9,
  partitioned away): at-least-once — a job may run twice, never zero times.

  KEYS[1] alive     zset runnerId by alive deadline
  KEYS[2] high      list
  KEYS[3] low       list
  ARGV[1] now (epoch ms)
  ARGV[2] working key prefix; a runner's working hash is <prefix><runnerId>. These keys are
          derived, not declared, but share the queue's hash tag, so they sit in the same slot.
  ARGV[3] notify channel
  ARGV[4] most runners to recover in one call

  Output: { jobs moved, runnerId1, runnerId2, … }
]]
--!include release
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
local moved = 0
for _, runner in ipairs(expired) do
  moved = moved + release(ARGV[2] .. runner, KEYS[2], KEYS[3], nil)
  redis.call('ZREM', KEYS[1], runner)
end
if moved > 0 then redis.call('PUBLISH', ARGV[3], '1') end
local out = { moved }
for _, runner in ipairs(expired) do out[#out + 1] = runner end
return out
