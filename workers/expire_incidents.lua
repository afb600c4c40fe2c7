-- Close incidents with no new report for the quiet period. Answers [[id, alert_id], ...] of the
-- verified ones, which get an `update` to the groups they alerted.
-- KEYS: the region's revision, change log and floor (changed.lua), open incidents. ARGV: the region's
-- prefix, the cutoff time. The hash of each incident closed is the one key not in KEYS: its id is read
-- here, from the open incidents, so the caller cannot name it. It is built from the prefix, which carries
-- the region's hash tag: the same Redis Cluster slot as KEYS (tests/test_cluster.py checks every key).
local p, cutoff = ARGV[1], tonumber(ARGV[2])
local expired = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. cutoff)) do
  local ikey = p .. ':incident:' .. id
  local state = redis.call('HGET', ikey, 'state')
  if state == 'verified' then
    redis.call('HSET', ikey, 'state', 'expired', 'expired_at', redis.call('HGET', ikey, 'last_report_at'))
    table.insert(expired, {id, redis.call('HGET', ikey, 'alert_id')})
  elseif state then
    redis.call('HSET', ikey, 'state', 'closed')
  end
  mark_changed(id)
  redis.call('ZREM', KEYS[4], id)
end
return expired
