-- Distinct members of a group (the senders of a campaign or of a reputation entry), for the scripts that include
-- this file (weave_ml.connections.lua_source puts it in place of their line naming it).
--
-- The first DISTINCT_EXACT_UP_TO members are counted exactly, in a set under the group's key; members beyond them
-- are estimated, in a HyperLogLog under key .. ':more'. A HyperLogLog alone now and then counts two members as one
-- (two hashes in one register), and the first few senders are the ones that decide whether a group counts at all.
local DISTINCT_EXACT_UP_TO = 64

-- Add member to the group under key. Returns the group's count and the keys written, or nil when member was in it.
local function add_distinct(key, member)
  if redis.call('SADD', key, member) == 0 then return nil, nil end
  local exact = redis.call('SCARD', key)
  if exact <= DISTINCT_EXACT_UP_TO then return exact, {key} end
  -- Full: the member goes to the estimate (a member of both would count twice).
  redis.call('SREM', key, member)
  local more = key .. ':more'
  if redis.call('PFADD', more, member) == 0 then return nil, nil end
  return DISTINCT_EXACT_UP_TO + redis.call('PFCOUNT', more), {key, more}
end

-- The keys that hold a group of count members (the ones a renewal of its TTL must reach).
local function distinct_keys(key, count)
  if count > DISTINCT_EXACT_UP_TO then return {key, key .. ':more'} end
  return {key}
end
