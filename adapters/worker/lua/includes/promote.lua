-- Moves up to `limit` waiting jobs due at `now` to the tail of their ready list (waiting → ready).
-- A waiting member is "<queue>#<id>"; a member without "#" is queued low as it is.
local function promote(waitingKey, highKey, lowKey, now, limit)
  local due = redis.call('ZRANGEBYSCORE', waitingKey, '-inf', now, 'LIMIT', 0, limit)
  if #due == 0 then return 0 end
  for _, member in ipairs(due) do
    local sep = string.find(member, '#', 1, true)
    if sep and string.sub(member, 1, sep - 1) == 'high' then
      redis.call('RPUSH', highKey, string.sub(member, sep + 1))
    elseif sep then
      redis.call('RPUSH', lowKey, string.sub(member, sep + 1))
    else
      redis.call('RPUSH', lowKey, member)
    end
  end
  for i = 1, #due, 4000 do
    redis.call('ZREM', waitingKey, unpack(due, i, math.min(i + 3999, #due)))
  end
  return #due
end
