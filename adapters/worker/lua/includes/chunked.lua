-- Calls `cmd key <items…>` in slices: Lua's unpack() has a C-stack limit (~8000 values).
-- `step` is even so field/value and score/member pairs never split.
local function chunked(cmd, key, items)
  local step = 4000
  for i = 1, #items, step do
    redis.call(cmd, key, unpack(items, i, math.min(i + step - 1, #items)))
  end
end
