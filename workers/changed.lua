-- Prepended to every script that changes an incident. Each change bumps the global incident revision
-- (the one number a drainer's cached view is checked against) and notes which incident changed at that
-- revision, so a stale view can catch up by reading just those. The log keeps the latest change of at
-- most CHANGED_CAP incidents; a view older than what was dropped reloads every open incident instead.
local CHANGED_CAP = 5000
local function mark_changed(p, id)
  local seq = redis.call('INCR', p .. ':incidents:rev')
  redis.call('ZADD', p .. ':incidents:changed', seq, id)
  if redis.call('ZCARD', p .. ':incidents:changed') > CHANGED_CAP then
    local dropped = redis.call('ZPOPMIN', p .. ':incidents:changed')
    redis.call('SET', p .. ':incidents:changed:floor', dropped[2])
  end
  return seq
end
