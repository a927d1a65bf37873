-- Count messages into campaigns, or label the campaign of a reported message (weave_ml.campaigns.store).
-- One call per /predict answer, per gathering of answers or per batch chunk; atomic, so concurrent processes never
-- found two campaigns for one template.
--
-- KEYS: none declared. Every key is built from ARGV[1] (the prefix, "weave:campaign"):
--   <prefix>:band:<band hash>  string, the campaign a band points to
--   <prefix>:c:<id>            hash: messages, phishing, first_seen, last_seen, renewed, verdict, template, senders, lone
--   <prefix>:c:<id>:senders    HyperLogLog of hashed senders
--   <prefix>:active            sorted set: campaigns with enough senders, by last seen
--   ARGV[9]                    the service counters' hash (a new campaign is counted there)
-- ARGV: 1 prefix, 2 now (epoch seconds), 3 window TTL (s), 4 min senders, 5 phishing share, 6 bands per message,
--   7 min votes, 8 verdict ('' to count, 'phishing' or 'normal' to label), 9 counters key, 10 new-campaign counter
--   name, 11 TTL of a group of one (s); then per message: new id, hashed sender ('' if none), scored phishing
--   ('1'/'0'), masked template ('' unless scored phishing), then its bands.
-- Returns per message: {id, messages, phishing, first_seen, last_seen, senders, verdict} as they stand after it.
local prefix, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local min_senders, share = tonumber(ARGV[4]), tonumber(ARGV[5])
local nbands, min_votes, verdict = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local active = prefix .. ':active'
local counters, new_counter, lone_ttl = ARGV[9], ARGV[10], tonumber(ARGV[11])
-- TTLs are renewed when a sixteenth of the window has passed since the last renewal, not on every message: a busy
-- campaign's keys stay alive at a fraction of the writes, and a silent one is gone within 17/16 of the window.
local renew_every = ttl / 16
local out = {}
local i = 12
while i <= #ARGV do
  local new_id, sender, phishing, template = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local bands = {}
  for b = 1, nbands do bands[b] = prefix .. ':band:' .. ARGV[i + 3 + b] end
  local found = redis.call('MGET', unpack(bands))
  local votes, best, best_votes = {}, nil, min_votes - 1
  for b = 1, nbands do
    local other = found[b]
    if other then
      local count = (votes[other] or 0) + 1
      votes[other] = count
      if count > best_votes then best, best_votes = other, count end
    end
  end
  local id = best or new_id
  local key = prefix .. ':c:' .. id
  local senders_key = key .. ':senders'
  if verdict == '' then
    redis.call('HINCRBY', key, 'messages', 1)
    if phishing == '1' then redis.call('HINCRBY', key, 'phishing', 1) end
  else
    redis.call('HSET', key, 'verdict', verdict)
  end
  local more_senders = sender ~= '' and redis.call('PFADD', senders_key, sender) == 1
  local h = redis.call('HMGET', key, 'messages', 'phishing', 'first_seen', 'renewed', 'verdict', 'template',
    'senders', 'lone')
  local messages, scored = tonumber(h[1] or '0'), tonumber(h[2] or '0')
  -- A group a message founds now lives lone_ttl (one a report founds, a window: a verdict is worth keeping); a group
  -- of one that another message joins lives a window from now on.
  local founding = not h[3]
  local lone = founding and verdict == '' and lone_ttl < ttl
  local joined = h[8] and not founding
  local key_ttl = lone and lone_ttl or ttl
  local renew = (not h[4]) or joined or now - tonumber(h[4]) >= renew_every
  for b = 1, nbands do
    if found[b] == id then
      if renew then redis.call('EXPIRE', bands[b], key_ttl) end
    elseif best or not found[b] then
      -- A new group leaves the bands it shares with another alone: one shared band is chance, not kinship.
      redis.call('SET', bands[b], id, 'EX', key_ttl)
    end
  end
  if joined then redis.call('HDEL', key, 'lone') end
  local first_seen = h[3] or tostring(now)
  local senders = tonumber(h[7] or '0')
  if more_senders then
    senders = redis.call('PFCOUNT', senders_key)
    if senders == 1 or renew then redis.call('EXPIRE', senders_key, key_ttl) end
  end
  local fields = {'last_seen', now, 'senders', senders}
  if founding then
    fields[#fields + 1] = 'first_seen'; fields[#fields + 1] = now
    if lone then fields[#fields + 1] = 'lone'; fields[#fields + 1] = 1 end
  end
  if renew then fields[#fields + 1] = 'renewed'; fields[#fields + 1] = now end
  -- A reported lure keeps its template even before its campaign has enough senders: its next members may be ones
  -- the model lets through, which never bring a template of their own (weave_ml.campaigns.examples keeps it).
  if template ~= '' and not h[6] and (senders >= min_senders or verdict == 'phishing') then
    if h[5] == 'phishing' or (h[5] ~= 'normal' and messages > 0 and scored / messages >= share) then
      fields[#fields + 1] = 'template'; fields[#fields + 1] = template
    end
  end
  redis.call('HSET', key, unpack(fields))
  if renew then
    redis.call('EXPIRE', key, key_ttl)
    if not more_senders then redis.call('EXPIRE', senders_key, key_ttl) end
  end
  if senders >= min_senders and (more_senders or renew) then
    local listed = redis.call('ZADD', active, now, id) == 1
    if listed then redis.call('HINCRBY', counters, new_counter, 1) end
    if renew or listed then
      redis.call('ZREMRANGEBYSCORE', active, '-inf', now - ttl)
      redis.call('EXPIRE', active, ttl)
    end
  end
  out[#out + 1] = {id, h[1] or '0', h[2] or '0', first_seen, tostring(now), senders, h[5] or ''}
  i = i + 4 + nbands
end
return out
