-- What a drainer needs to bring its cached view of open incidents up to date, in one round trip.
-- ARGV[1] prefix, ARGV[2] the view's epoch ('' for none), ARGV[3] the view's revision.
-- Answers the current epoch and revision and, for every incident changed since (or every open incident,
-- when the view is new, from another epoch, or older than the change log), its fields and report texts.
-- An incident whose hash is gone comes back with only its id.
local p, epoch, since = ARGV[1], ARGV[2], tonumber(ARGV[3])
local fields = {'lat', 'lon', 'precision', 'place', 'area', 'area_name', 'state', 'last_report_at'}
local current = redis.call('GET', p .. ':incidents:epoch')
if not current then
  local now = redis.call('TIME')
  current = redis.call('INCR', p .. ':incidents:epoch:seq') .. '-' .. now[1] .. '.' .. now[2]
  redis.call('SET', p .. ':incidents:epoch', current)
end
local seq = tonumber(redis.call('GET', p .. ':incidents:rev') or '0')
local floor = tonumber(redis.call('GET', p .. ':incidents:changed:floor') or '0')
local out = {epoch = current, seq = seq, full = false, incidents = {}}
if seq == since and epoch == current then return cjson.encode(out) end
local ids
if epoch ~= current or since > seq or since < floor then
  out.full = true
  ids = redis.call('ZRANGE', p .. ':incidents:active', 0, -1)
else
  ids = redis.call('ZRANGEBYSCORE', p .. ':incidents:changed', '(' .. since, '+inf')
end
for _, id in ipairs(ids) do
  local values = redis.call('HMGET', p .. ':incident:' .. id, unpack(fields))
  local item = {id = id}
  if values[1] then
    for i, name in ipairs(fields) do item[name] = values[i] or '' end
    item.texts = redis.call('LRANGE', p .. ':incident:' .. id .. ':texts', 0, -1)
  end
  table.insert(out.incidents, item)
end
return cjson.encode(out)
