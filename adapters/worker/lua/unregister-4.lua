--[[
  unregister: a runner leaves; whatever is still in its working set goes back to ready.

  KEYS[1] working   hash id → queue, of the leaving runner
  KEYS[2] high      list
  KEYS[3] low       list
  KEYS[4] alive     zset runnerId by alive deadline
  ARGV[1] runner id
  ARGV[2] notify channel

  Output: number of jobs released.
]]
--!include release
local moved = release(KEYS[1], KEYS[2], KEYS[3], nil)
redis.call('ZREM', KEYS[4], ARGV[1])
if moved > 0 then redis.call('PUBLISH', ARGV[2], '1') end
return moved
