-- Snapshot for matching, in one round trip: the global incident revision and the fields of every open
-- incident near (lon, lat): point incidents within radius_m, area-level ones within area_radius_m.
local p, lon, lat = ARGV[1], ARGV[2], ARGV[3]
local radius_m, area_radius_m = ARGV[4], ARGV[5]
local fields = {'lat', 'lon', 'precision', 'place', 'area_name', 'state', 'last_report_at', 'rev'}
local out = {rev = tonumber(redis.call('GET', p .. ':incidents:rev') or '0'), incidents = {}}
local function collect(key, radius)
  for _, id in ipairs(redis.call('GEOSEARCH', key, 'FROMLONLAT', lon, lat, 'BYRADIUS', radius, 'm')) do
    local values = redis.call('HMGET', p .. ':incident:' .. id, unpack(fields))
    if values[1] then
      local item = {id = id}
      for i, name in ipairs(fields) do item[name] = values[i] or '' end
      table.insert(out.incidents, item)
    end
  end
end
collect(p .. ':incidents:geo', radius_m)
collect(p .. ':incidents:geo:area', area_radius_m)
return cjson.encode(out)
