-- Hands jobs of a working hash (id → queue) back to the front of their ready list.
-- `ids` nil: all of them. Returns how many moved.
local function release(workingKey, highKey, lowKey, ids)
  local moved = 0
  if ids == nil then
    local all = redis.call('HGETALL', workingKey)
    for i = 1, #all, 2 do
      redis.call('LPUSH', all[i + 1] == 'high' and highKey or lowKey, all[i])
      moved = moved + 1
    end
    redis.call('DEL', workingKey)
    return moved
  end
  for _, id in ipairs(ids) do
    local queue = redis.call('HGET', workingKey, id)
    if queue then
      redis.call('LPUSH', queue == 'high' and highKey or lowKey, id)
      redis.call('HDEL', workingKey, id)
      moved = moved + 1
    end
  end
  return moved
end
