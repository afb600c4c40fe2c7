-- Prepended to every script that changes an incident. Each change bumps the global incident revision
-- (the one number a drainer's cached view is checked against) and notes which incident changed at that
-- revision, so a stale view can catch up by reading just those. The log keeps the latest change of at
-- most CHANGED_CAP incidents; a view older than what was dropped reloads every open incident instead.
-- Every such script takes the region's revision, change log and its floor as KEYS[1], KEYS[2], KEYS[3]
-- (workers/incidents.py _change_keys).
local CHANGED_CAP = 5000
local function mark_changed(id)
  local seq = redis.call('INCR', KEYS[1])
  redis.call('ZADD', KEYS[2], seq, id)
  if redis.call('ZCARD', KEYS[2]) > CHANGED_CAP then
    local dropped = redis.call('ZPOPMIN', KEYS[2])
    redis.call('SET', KEYS[3], dropped[2])
  end
  return seq
end
