--[[
  promote: waiting → ready for jobs that are due.

  KEYS[1] waiting   zset "<queue>#<id>" by due time
  KEYS[2] high      list
  KEYS[3] low       list
  ARGV[1] now (epoch ms)
  ARGV[2] limit (the seed's batch of 100)

  Output: number of jobs promoted.
]]
--!include promote
return promote(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]))
