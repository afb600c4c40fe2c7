-- Atomically apply one message (report, all-clear or dispute) to an incident and decide.
-- Optimistic concurrency: the caller decided on a view of the open incidents as of the global incident
-- revision expect_seq; if any incident changed since, answer "retry" and the caller catches up and decides
-- again. A message already applied is a no-op that answers the transition it caused, so replays never
-- double-count or double-send. The answer carries the incident's new fields, so the caller's view stays
-- current without reading them back.
local req = cjson.decode(ARGV[1])
local p = req.prefix
local id = req.incident_id
local fresh = false

local function current_seq() return tonumber(redis.call('GET', p .. ':incidents:rev') or '0') end

if id == '' then
  if current_seq() ~= req.expect_seq then return cjson.encode({status = 'retry'}) end
  local n = req.new
  id = 'i' .. redis.call('INCR', p .. ':incident:seq')
  redis.call('HSET', p .. ':incident:' .. id,
    'lat', n.lat, 'lon', n.lon, 'precision', n.precision, 'place', n.place, 'area', n.area,
    'area_name', n.area_name, 'state', 'pending', 'first_at', req.t, 'last_report_at', req.t,
    'seen', '')
  redis.call('ZADD', p .. ':incidents:active', req.t, id)
  fresh = true
end

local ikey = p .. ':incident:' .. id
local function reply(status, transition)
  -- replies quoting this message, and a later "ya se fueron" from this sender, refer to this incident
  redis.call('SET', p .. ':ref:' .. req.ref, id, 'EX', req.ttl_s)
  redis.call('SET', p .. ':reporter:' .. req.reporter .. ':incident', id, 'EX', req.ttl_s)
  local h = redis.call('HMGET', ikey, 'state', 'alert_id', 'by_verifier', 'place', 'area', 'lat', 'lon',
    'precision', 'area_name', 'last_report_at', 'seen')
  return cjson.encode({
    status = status, incident = id, state = h[1], alert_id = h[2] or '', by_verifier = h[3] == '1',
    place = h[4] or '', area = h[5] or '', lat = h[6], lon = h[7], precision = h[8], area_name = h[9] or '',
    last_report_at = h[10], seen = h[11] or '', seq = current_seq(),
    transition = transition, reporters = redis.call('ZCARD', ikey .. ':reporters'),
    clears = redis.call('ZCARD', ikey .. ':clears')})
end

if redis.call('SISMEMBER', ikey .. ':messages', req.msg_key) == 1 then
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

redis.call('SADD', ikey .. ':messages', req.msg_key)
if req.text ~= '' then  -- simplified, and only texts that were not copies: a flood adds nothing here
  redis.call('RPUSH', ikey .. ':texts', cjson.encode({r = req.reporter, x = req.text}))
  redis.call('LTRIM', ikey .. ':texts', -100, -1)
end

local transition = ''
local function verify(by_verifier)
  local alert_id = 'a' .. redis.call('INCR', p .. ':alert:seq')
  redis.call('HSET', ikey, 'state', 'verified', 'alert_id', alert_id, 'verified_by', req.msg_key,
    'verified_at', req.t, 'by_verifier', by_verifier and '1' or '0')
  transition = 'verified'
end

if req.kind == 'report' then
  if tonumber(redis.call('HGET', ikey, 'last_report_at')) < req.t then
    redis.call('HSET', ikey, 'last_report_at', req.t)
  end
  redis.call('ZADD', p .. ':incidents:active', 'GT', req.t, id)
  local already = redis.call('ZSCORE', ikey .. ':reporters', req.reporter)
  local tainted = redis.call('SISMEMBER', ikey .. ':forwarders', req.reporter) == 1
  local counts = req.counted and not tainted
  if counts and not already then
    redis.call('ZADD', ikey .. ':reporters', req.t, req.reporter)
    if req.seen ~= '' then redis.call('HSET', ikey, 'seen', req.seen) end
  elseif not req.counted and not already then
    -- whoever forwarded or pasted someone else's report is never an independent reporter of it
    redis.call('SADD', ikey .. ':forwarders', req.reporter)
  end
  if counts and req.point and redis.call('HGET', ikey, 'precision') == 'area' and req.point.precision == 'point' then
    local pt = req.point
    redis.call('HSET', ikey, 'lat', pt.lat, 'lon', pt.lon, 'precision', 'point', 'place', pt.place, 'area', pt.area)
  end
  if counts and (state == 'pending' or state == 'blocked') then
    if req.verifier then
      verify(true)
    elseif state == 'pending' then
      local within = redis.call('ZCOUNT', ikey .. ':reporters', req.t - req.window_s, req.t + req.window_s)
      if within >= req.need then verify(false) end
    end
  end
elseif req.kind == 'clear' then
  if not redis.call('ZSCORE', ikey .. ':clears', req.reporter) then
    redis.call('ZADD', ikey .. ':clears', req.t, req.reporter)
  end
  if state == 'verified' and (req.verifier or redis.call('ZCARD', ikey .. ':clears') >= req.clear_need) then
    redis.call('HSET', ikey, 'state', 'cleared', 'cleared_by', req.msg_key, 'cleared_at', req.t)
    redis.call('ZREM', p .. ':incidents:active', id)
    transition = 'cleared'
  end
elseif req.kind == 'dispute' then
  redis.call('ZADD', ikey .. ':disputes', req.t, req.reporter)
  if req.verifier and state == 'pending' then
    redis.call('HSET', ikey, 'state', 'blocked')
  end
end

mark_changed(p, id)
for _, suffix in ipairs({'', ':reporters', ':clears', ':disputes', ':texts', ':messages', ':forwarders'}) do
  redis.call('EXPIRE', ikey .. suffix, req.ttl_s)
end
return reply('ok', transition)
