-- Close an incident by hand (a retraction): set its state, take it out of the open indexes, note the change.
-- ARGV: prefix, incident id, state. Answers 0 if it was in that state already.
local p, id, state = ARGV[1], ARGV[2], ARGV[3]
local ikey = p .. ':incident:' .. id
if redis.call('HGET', ikey, 'state') == state then return 0 end
redis.call('HSET', ikey, 'state', state)
redis.call('ZREM', p .. ':incidents:active', id)
mark_changed(p, id)
return 1
