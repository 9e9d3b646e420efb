--[[
  release: working → ready (front of the list), for jobs a draining runner did not start or
  could not finish before its deadline.

  KEYS[1] working   hash id → queue
  KEYS[2] high      list
  KEYS[3] low       list
  ARGV[1] notify channel
  ARGV[2] "all" to release the whole working set, else "ids"
  ARGV[3..n] ids

  Output: number of jobs released.
]]
--!include release
local ids = nil
if ARGV[2] ~= 'all' then
  ids = {}
  for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
end
local moved = release(KEYS[1], KEYS[2], KEYS[3], ids)
if moved > 0 then redis.call('PUBLISH', ARGV[1], '1') end
return moved
