-- Atomically write what bot/core/decide.py decided one message (report, all-clear or dispute) does to an
-- incident. The rule lives there; this script only writes its decision (req.d), and only if the decision
-- was made on the current incident: the caller decided on a view of the open incidents as of the global
-- incident revision expect_seq, and if any incident changed since, it answers "retry" and the caller
-- catches up and decides again. A message already applied is a no-op that answers the transition it
-- caused, so replays never double-count or double-send. The answer carries the incident's new fields, so
-- the caller's view stays current without reading them back.
-- KEYS: 1-3 the region's revision, change log and floor (changed.lua), 4 open incidents, 5 the incident
-- sequence, 6 the alert sequence, 7 this message's ref, 8 its sender's last incident, and, when the caller
-- names the incident, 9-17 its keys (PARTS; workers/incidents.py incident_keys). ARGV[1]: the request.
-- A new incident's keys are the ones not in KEYS: its id comes from the sequence, here, so the caller
-- cannot name them. They are built from the region's prefix (req.prefix), which carries its hash tag: the
-- same Redis Cluster slot as KEYS (tests/test_cluster.py checks every key).
local req = cjson.decode(ARGV[1])
local p = req.prefix
local id = req.incident_id
local d = req.d
local fresh = false
local PARTS = {'', ':reporters', ':clears', ':disputes', ':texts', ':messages', ':forwarders', ':newcomers',
               ':why'}
local ik = {}  -- the incident's keys, by part

local function current_seq() return tonumber(redis.call('GET', KEYS[1]) or '0') end

if id == '' then
  if current_seq() ~= req.expect_seq then return cjson.encode({status = 'retry'}) end
  local n = req.new
  id = 'i' .. redis.call('INCR', KEYS[5]) .. (req.id_suffix or '')
  for _, part in ipairs(PARTS) do ik[part] = p .. ':incident:' .. id .. part end
  redis.call('HSET', ik[''],
    'lat', n.lat, 'lon', n.lon, 'precision', n.precision, 'place', n.place, 'area', n.area,
    'area_name', n.area_name, 'state', 'pending', 'first_at', req.t, 'last_report_at', req.t,
    'seen', '')
  redis.call('ZADD', KEYS[4], req.t, id)
  fresh = true
else
  for i, part in ipairs(PARTS) do ik[part] = KEYS[8 + i] end
end

local ikey = ik['']
local function reply(status, transition)
  -- replies quoting this message, and a later "ya se fueron" from this sender, refer to this incident
  redis.call('SET', KEYS[7], id, 'EX', req.ttl_s)
  redis.call('SET', KEYS[8], id, 'EX', req.ttl_s)
  local h = redis.call('HMGET', ikey, 'state', 'alert_id', 'by_verifier', 'place', 'area', 'lat', 'lon',
    'precision', 'area_name', 'last_report_at', 'seen', 'voices')
  return cjson.encode({
    status = status, incident = id, state = h[1], alert_id = h[2] or '', by_verifier = h[3] == '1',
    place = h[4] or '', area = h[5] or '', lat = h[6], lon = h[7], precision = h[8], area_name = h[9] or '',
    last_report_at = h[10], seen = h[11] or '', seq = current_seq(),
    transition = transition, reporters = tonumber(h[12]) or redis.call('ZCARD', ik[':reporters']),
    clears = redis.call('ZCARD', ik[':clears'])})
end

if redis.call('SISMEMBER', ik[':messages'], req.msg_key) == 1 then
  local h = redis.call('HMGET', ikey, 'verified_by', 'cleared_by')
  local transition = ''
  if h[1] == req.msg_key then transition = 'verified' elseif h[2] == req.msg_key then transition = 'cleared' end
  return reply('replay', transition)
end
local state = redis.call('HGET', ikey, 'state')
if not state then return cjson.encode({status = 'closed'}) end  -- its data expired
if not fresh and current_seq() ~= req.expect_seq then return cjson.encode({status = 'retry'}) end
if state ~= 'pending' and state ~= 'blocked' and state ~= 'verified' then
  return cjson.encode({status = 'closed'})
end
-- cheap invariants: the decision was made on this incident as it is (a mismatch is a bug; never write it)
if state ~= req.before.state or redis.call('ZCARD', ik[':reporters']) ~= req.before.reporters then
  return cjson.encode({status = 'diverged', incident = id, state = state})
end

redis.call('SADD', ik[':messages'], req.msg_key)
if req.text ~= '' then  -- simplified, and only texts that were not copies: a flood adds nothing here
  redis.call('RPUSH', ik[':texts'], cjson.encode({r = req.reporter, x = req.text}))
  redis.call('LTRIM', ik[':texts'], -100, -1)
end

if d.touch then
  if tonumber(redis.call('HGET', ikey, 'last_report_at')) < req.t then
    redis.call('HSET', ikey, 'last_report_at', req.t)
  end
  redis.call('ZADD', KEYS[4], 'GT', req.t, id)
end
if d.add_reporter then
  redis.call('ZADD', ik[':reporters'], req.t, req.reporter)
  if d.first_time then redis.call('SADD', ik[':newcomers'], req.reporter) end
  if req.seen ~= '' then redis.call('HSET', ikey, 'seen', req.seen) end
end
if d.add_forwarder then redis.call('SADD', ik[':forwarders'], req.reporter) end
if d.refine then
  local pt = req.point
  redis.call('HSET', ikey, 'lat', pt.lat, 'lon', pt.lon, 'precision', 'point', 'place', pt.place, 'area', pt.area)
end
if d.add_clear then redis.call('ZADD', ik[':clears'], req.t, req.reporter) end
if d.add_dispute then redis.call('ZADD', ik[':disputes'], req.t, req.reporter) end
if d.transition == 'verified' then
  local alert_id = 'a' .. redis.call('INCR', KEYS[6]) .. (req.id_suffix or '')
  redis.call('HSET', ikey, 'alert_id', alert_id, 'verified_by', req.msg_key, 'verified_at', req.t,
    'by_verifier', d.by_verifier and '1' or '0')
elseif d.transition == 'cleared' then
  redis.call('HSET', ikey, 'cleared_by', req.msg_key, 'cleared_at', req.t)
  redis.call('ZREM', KEYS[4], id)
end
redis.call('HSET', ikey, 'state', d.state, 'voices', d.reporters)
if redis.call('RPUSH', ik[':why'], req.why) > req.why_max then
  redis.call('LTRIM', ik[':why'], -req.why_max, -1)
end

mark_changed(id)
for _, part in ipairs(PARTS) do redis.call('EXPIRE', ik[part], req.ttl_s) end
return reply('ok', d.transition)
