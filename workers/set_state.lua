-- Close an incident by hand (a retraction): set its state, take it out of the open indexes, note the change.
-- KEYS: the region's revision, change log and floor (changed.lua), open incidents, the incident's hash.
-- ARGV: incident id, state, and optionally the message time it happened (kept as <state>_at: the map and
-- the CAP feed date the retraction by it). Answers 0 if it was in that state already.
local id, state, at = ARGV[1], ARGV[2], ARGV[3]
local ikey = KEYS[5]
if redis.call('HGET', ikey, 'state') == state then return 0 end
redis.call('HSET', ikey, 'state', state)
if at and at ~= '' then redis.call('HSET', ikey, state .. '_at', at) end
redis.call('ZREM', KEYS[4], id)
mark_changed(id)
return 1
