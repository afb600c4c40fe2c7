-- Everything one message needs before it is applied, in one round trip: the global incident revision,
-- the incident its quote points to, its sender's pending place-less report and last incident, and the
-- open incidents near its place (points within radius_m, area-level ones within area_radius_m), each
-- with its fields and report texts.
local req = cjson.decode(ARGV[1])
local p = req.prefix
local fields = {'lat', 'lon', 'precision', 'place', 'area_name', 'state', 'last_report_at', 'rev'}
local out = {rev = tonumber(redis.call('GET', p .. ':incidents:rev') or '0'), incidents = {},
             pending = redis.call('GET', p .. ':pending:' .. req.reporter) or '', quoted = '', last = '',
             near = {}}
local seen = {}
local function load(id)
  if seen[id] then return end
  seen[id] = true
  local values = redis.call('HMGET', p .. ':incident:' .. id, unpack(fields))
  if not values[1] then return end
  local item = {id = id, texts = redis.call('LRANGE', p .. ':incident:' .. id .. ':texts', 0, -1)}
  for i, name in ipairs(fields) do item[name] = values[i] or '' end
  table.insert(out.incidents, item)
end
if req.quote_ref ~= '' then
  out.quoted = redis.call('GET', p .. ':ref:' .. req.quote_ref) or ''
  if out.quoted ~= '' then load(out.quoted) end
end
out.last = redis.call('GET', p .. ':reporter:' .. req.reporter .. ':incident') or ''
if out.last ~= '' then load(out.last) end
for _, id in ipairs(req.named or {}) do load(id) end  -- named by a command ("/confirm i12")
local function search(key, radius)
  for _, id in ipairs(redis.call('GEOSEARCH', key, 'FROMLONLAT', req.lon, req.lat, 'BYRADIUS', radius, 'm')) do
    table.insert(out.near, id)
    load(id)
  end
end
if req.lon then
  search(p .. ':incidents:geo', req.radius_m)
  search(p .. ':incidents:geo:area', req.area_radius_m)
end
return cjson.encode(out)
