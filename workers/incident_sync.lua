-- What a drainer needs to bring its cached view of open incidents up to date, in one round trip.
-- ARGV[1] the region's prefix, ARGV[2] the view's epoch ('' for none), ARGV[3] the view's revision.
-- Answers the current epoch and revision and, for every incident changed since (or every open incident,
-- when the view is new, from another epoch, or older than the change log), its fields, report texts and
-- counting state (reporters and all-clears with times, disputes, forwarders, first-time reporters).
-- An incident whose hash is gone comes back with only its id.
-- KEYS: the region's epoch, epoch sequence, revision, change log floor, open incidents, change log.
-- The keys of the incidents read (hash, texts, reporters, newcomers, clears, disputes, forwarders) are the
-- ones not in KEYS: their ids are read here, from the open incidents or the change log, so the caller
-- cannot name them. They are built from the prefix, which carries the region's hash tag: the same Redis
-- Cluster slot as KEYS (tests/test_cluster.py checks every key).
local p, epoch, since = ARGV[1], ARGV[2], tonumber(ARGV[3])
local fields = {'lat', 'lon', 'precision', 'place', 'area', 'area_name', 'state', 'last_report_at', 'by_verifier'}
local current = redis.call('GET', KEYS[1])
if not current then
  local now = redis.call('TIME')
  current = redis.call('INCR', KEYS[2]) .. '-' .. now[1] .. '.' .. now[2]
  redis.call('SET', KEYS[1], current)
end
local seq = tonumber(redis.call('GET', KEYS[3]) or '0')
local floor = tonumber(redis.call('GET', KEYS[4]) or '0')
local out = {epoch = current, seq = seq, full = false, incidents = {}}
if seq == since and epoch == current then return cjson.encode(out) end
local ids
if epoch ~= current or since > seq or since < floor then
  out.full = true
  ids = redis.call('ZRANGE', KEYS[5], 0, -1)
else
  ids = redis.call('ZRANGEBYSCORE', KEYS[6], '(' .. since, '+inf')
end
for _, id in ipairs(ids) do
  local values = redis.call('HMGET', p .. ':incident:' .. id, unpack(fields))
  local item = {id = id}
  if values[1] then
    for i, name in ipairs(fields) do item[name] = values[i] or '' end
    local ikey = p .. ':incident:' .. id
    item.texts = redis.call('LRANGE', ikey .. ':texts', 0, -1)
    item.reporters = redis.call('ZRANGE', ikey .. ':reporters', 0, -1, 'WITHSCORES')
    item.newcomers = redis.call('SMEMBERS', ikey .. ':newcomers')
    item.clears = redis.call('ZRANGE', ikey .. ':clears', 0, -1, 'WITHSCORES')
    item.disputes = redis.call('ZRANGE', ikey .. ':disputes', 0, -1, 'WITHSCORES')
    item.forwarders = redis.call('SMEMBERS', ikey .. ':forwarders')
  end
  table.insert(out.incidents, item)
end
return cjson.encode(out)
