--[[
  complete: working → done for finished jobs (the pipelined, batched acknowledgement).

  KEYS[1] working   hash id → queue, of the acknowledging runner
  KEYS[2] jobs      hash id → data
  KEYS[3] errors    hash id → last error
  KEYS[4] stats     hash of counters
  ARGV[1..n] ids

  Only ids still in this runner's working set count: a job recovered meanwhile (its runner was
  presumed dead) stays queued and runs again — at least once, never zero times.
  Output: number of jobs completed.
]]
--!include chunked
local done = {}
for _, id in ipairs(ARGV) do
  if redis.call('HDEL', KEYS[1], id) == 1 then done[#done + 1] = id end
end
if #done == 0 then return 0 end
chunked('HDEL', KEYS[2], done)
chunked('HDEL', KEYS[3], done)
redis.call('HINCRBY', KEYS[4], 'completed', #done)
return #done
