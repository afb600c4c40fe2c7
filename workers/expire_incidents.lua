-- Close incidents with no new report for the quiet period. Answers [[id, alert_id], ...] of the
-- verified ones, which get an `update` to the groups they alerted.
local p, cutoff = ARGV[1], tonumber(ARGV[2])
local expired = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. ':incidents:active', '-inf', '(' .. cutoff)) do
  local ikey = p .. ':incident:' .. id
  local state = redis.call('HGET', ikey, 'state')
  if state == 'verified' then
    redis.call('HSET', ikey, 'state', 'expired', 'expired_at', redis.call('HGET', ikey, 'last_report_at'))
    table.insert(expired, {id, redis.call('HGET', ikey, 'alert_id')})
  elseif state then
    redis.call('HSET', ikey, 'state', 'closed')
  end
  mark_changed(p, id)
  redis.call('ZREM', p .. ':incidents:active', id)
end
return expired
