-- Distinct members of a group (the senders of a campaign or of a reputation entry), for the scripts that include
-- this file (weave_ml.connections.lua_source puts it in place of their line naming it).
--
-- The first DISTINCT_EXACT_UP_TO members are counted exactly, in a set under the group's key; members beyond them
-- are estimated, in a HyperLogLog under key .. ':more'. A HyperLogLog alone now and then counts two members as one
-- (two hashes in one register), and the first few senders are the ones that decide whether a group counts at all.
local DISTINCT_EXACT_UP_TO = 64

-- Add member to the group under key, appending the keys written to the list written. Returns the group's count, or
-- nil when member was in it.
local function add_distinct(key, member, written)
  if redis.call('SADD', key, member) == 0 then return nil end
  local exact = redis.call('SCARD', key)
  if exact <= DISTINCT_EXACT_UP_TO then
    written[#written + 1] = key
    return exact
  end
  -- Full: the member goes to the estimate (a member of both would count twice).
  redis.call('SREM', key, member)
  local more = key .. ':more'
  if redis.call('PFADD', more, member) == 0 then return nil end
  written[#written + 1] = key
  written[#written + 1] = more
  return DISTINCT_EXACT_UP_TO + redis.call('PFCOUNT', more)
end

-- Append to the list held the keys that hold a group of count members (the ones a renewal of its TTL must reach).
local function add_distinct_keys(held, key, count)
  if count > 0 then held[#held + 1] = key end
  if count > DISTINCT_EXACT_UP_TO then held[#held + 1] = key .. ':more' end
end
