--[[
  redrive: dead → ready, with its retries reset by the caller's new data.

  KEYS[1] dead      zset id by time of death
  KEYS[2] jobs      hash id → data
  KEYS[3] high      list
  KEYS[4] low       list
  KEYS[5] errors    hash id → last error
  ARGV[1] id
  ARGV[2] queue ("high"|"low")
  ARGV[3] data ("" keeps the stored data)
  ARGV[4] notify channel

  Output: 1 when the job was dead and is ready now, else 0.
]]
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('RPUSH', ARGV[2] == 'high' and KEYS[3] or KEYS[4], ARGV[1])
redis.call('PUBLISH', ARGV[4], '1')
return 1
