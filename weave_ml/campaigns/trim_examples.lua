-- Trim the list of phishing templates kept for the retrain (weave_ml.campaigns.examples.collect).
-- Removes from both keys the campaigns last seen before ARGV[1] and, beyond the newest ARGV[2], the oldest.
--
-- KEYS: 1 the sorted set campaign id -> last seen (epoch seconds), 2 the hash campaign id -> masked template.
-- ARGV: 1 oldest last-seen time kept (epoch seconds), 2 how many templates are kept at most.
-- Returns how many campaigns were removed.
local key, templates = KEYS[1], KEYS[2]
local stale = redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. ARGV[1])
local kept = redis.call('ZCARD', key) - #stale
local max_kept = tonumber(ARGV[2])
if kept > max_kept then
  for _, id in ipairs(redis.call('ZRANGE', key, #stale, #stale + kept - max_kept - 1)) do stale[#stale + 1] = id end
end
for first = 1, #stale, 500 do
  local ids = {unpack(stale, first, math.min(first + 499, #stale))}
  redis.call('ZREM', key, unpack(ids))
  redis.call('HDEL', templates, unpack(ids))
end
return #stale
