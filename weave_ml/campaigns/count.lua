-- Count messages into campaigns, or record a report on the campaign of a reported message (weave_ml.campaigns.store).
-- One call per /predict answer, per gathering of answers or per batch chunk; atomic, so concurrent processes never
-- found two campaigns for one template. The time is the server's (TIME): one clock for every process.
--
-- KEYS: none declared. Every key is built from ARGV[1] (the prefix, "weave:campaign"):
--   <prefix>:band:<band hash>         string, the campaign a band points to
--   <prefix>:c:<id>                   hash: messages, phishing, first_seen, last_seen, renewed, verdict, source, admin,
--                                     users_phishing, users_normal, template, senders, phishing_senders, vouched, lone
--   <prefix>:c:<id>:sender-ids        set of hashed senders (the first 64; those after: a HyperLogLog under
--                                     ...:sender-ids:more, see distinct.lib.lua)
--   <prefix>:c:<id>:phishing-sender-ids  the same of the senders of messages scored phishing
--   <prefix>:c:<id>:reporters         hash: hashed reporter -> the verdict of their report
--   <prefix>:reporter:<hash>          sorted set: the campaigns a reporter's reports counted for in the last hour
--   <prefix>:active                   sorted set: campaigns with enough senders, by last seen
--   <prefix>:verdict-log              list: every change of a campaign's verdict, newest first (JSON)
--   ARGV[8]                           the service counters' hash (a new campaign is counted there)
-- ARGV: 1 prefix, 2 window TTL (s), 3 min senders, 4 phishing share, 5 bands per message, 6 min votes, 7 reported
--   verdict ('' to count, 'phishing' or 'normal' to record a report), 8 counters key, 9 new-campaign counter name,
--   10 TTL of a group of one (s), 11 who reported ('admin' or 'user'), 12 hashed reporter, 13 distinct reporters a
--   users' verdict needs, 14 campaigns a reporter's reports count for per hour, 15 entries the verdict log keeps,
--   16 the verdict log's TTL (s); then per message: new id, hashed sender ('' if none), scored phishing ('1'/'0'),
--   masked template ('' unless scored phishing), vouched for ('1'/'0'), then its bands.
-- Returns per message, as they stand after it: {id, messages, phishing, first_seen, last_seen, senders, verdict,
--   phishing_senders, source, vouched, users_phishing, users_normal, change}; change is the verdict log entry the
--   message made, or ''.
-- include: distinct.lib.lua

local prefix, ttl = ARGV[1], tonumber(ARGV[2])
local min_senders, share = tonumber(ARGV[3]), tonumber(ARGV[4])
local nbands, min_votes, reported = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local active = prefix .. ':active'
local counters, new_counter, lone_ttl = ARGV[8], ARGV[9], tonumber(ARGV[10])
local who, reporter, users_needed, reporter_limit = ARGV[11], ARGV[12], tonumber(ARGV[13]), tonumber(ARGV[14])
local log_key, log_length, log_ttl = prefix .. ':verdict-log', tonumber(ARGV[15]), tonumber(ARGV[16])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
-- TTLs are renewed when a sixteenth of the window has passed since the last renewal, not on every message: a busy
-- campaign's keys stay alive at a fraction of the writes, and a silent one is gone within 17/16 of the window.
local renew_every = ttl / 16

-- The verdict reports give: an admin's is final; else the side at least users_needed distinct reporters took, if
-- more took it than the other.
local function judged(admin, users_phishing, users_normal)
  if admin ~= '' then return admin, 'admin' end
  if users_phishing >= users_needed and users_phishing > users_normal then return 'phishing', 'users' end
  if users_normal >= users_needed and users_normal > users_phishing then return 'normal', 'users' end
  return '', ''
end

-- Whether the policy raises the campaign's members (weave_ml.campaigns.policy.is_phishing says the same): never when
-- vouched for; an admin's verdict decides; users can raise it; else the share of its senders scored phishing. Users'
-- "normal" does not clear what the scores say: only an admin can.
local function raised(vouched, verdict, source, senders, phishing_senders)
  if vouched then return false end
  if source == 'admin' then return verdict == 'phishing' end
  if verdict == 'phishing' then return true end
  return senders > 0 and phishing_senders / senders >= share
end

local out = {}
local i = 17
while i <= #ARGV do
  local new_id, sender, phishing, template, vouched_now = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local bands = {}
  for b = 1, nbands do bands[b] = prefix .. ':band:' .. ARGV[i + 4 + b] end
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
  local senders_key, phishing_key, reporters_key = key .. ':sender-ids', key .. ':phishing-sender-ids',
    key .. ':reporters'
  local h = redis.call('HMGET', key, 'messages', 'phishing', 'first_seen', 'renewed', 'verdict', 'template',
    'senders', 'lone', 'phishing_senders', 'source', 'admin', 'users_phishing', 'users_normal', 'vouched')
  local messages, scored = tonumber(h[1] or '0'), tonumber(h[2] or '0')
  local was_verdict, was_source = h[5] or '', h[10] or ''
  local admin = h[11] or ''
  local users_phishing, users_normal = tonumber(h[12] or '0'), tonumber(h[13] or '0')
  -- A group a message founds now lives lone_ttl (one a report founds, a window: a verdict is worth keeping); a group
  -- of one that another message joins lives a window from now on.
  local founding = not h[3]
  local lone = founding and reported == '' and lone_ttl < ttl
  local joined = h[8] and not founding
  local key_ttl = lone and lone_ttl or ttl
  local renew = (not h[4]) or joined or now - tonumber(h[4]) >= renew_every
  -- Texts vouched for and texts not are never in one group (their band keys differ), so the founder's word holds.
  local vouched = h[14] == '1' or (founding and vouched_now == '1')
  local senders, phishing_senders = tonumber(h[7] or '0'), tonumber(h[9] or '0')
  local was_raised = not founding and senders >= min_senders and raised(vouched, was_verdict, was_source, senders,
    phishing_senders)
  local written = {}
  if reported == '' then
    messages = messages + 1
    if phishing == '1' then scored = scored + 1 end
    if sender ~= '' then
      senders = add_distinct(senders_key, sender, written) or senders
      -- The share counts senders, not messages: one sender repeating a text weighs as one.
      if phishing == '1' then phishing_senders = add_distinct(phishing_key, sender, written) or phishing_senders end
    end
  elseif who == 'admin' then
    admin = reported
  else
    -- A reporter's reports count for at most reporter_limit campaigns an hour; reporting one campaign again (the
    -- same report swept twice, or a change of mind) uses nothing more.
    local budget = prefix .. ':reporter:' .. reporter
    redis.call('ZREMRANGEBYSCORE', budget, '-inf', now - 3600)
    if redis.call('ZSCORE', budget, id) or redis.call('ZCARD', budget) < reporter_limit then
      redis.call('ZADD', budget, now, id)
      redis.call('EXPIRE', budget, 3600)
      local before = redis.call('HGET', reporters_key, reporter)
      if before ~= reported then
        redis.call('HSET', reporters_key, reporter, reported)
        written[#written + 1] = reporters_key
        if reported == 'phishing' then users_phishing = users_phishing + 1 else users_normal = users_normal + 1 end
        if before == 'phishing' then users_phishing = users_phishing - 1 end
        if before == 'normal' then users_normal = users_normal - 1 end
      end
    end
  end
  local verdict, source = was_verdict, was_source
  if reported ~= '' then verdict, source = judged(admin, users_phishing, users_normal) end
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
  local fields = {'last_seen', now, 'senders', senders, 'phishing_senders', phishing_senders, 'messages', messages,
    'phishing', scored}
  if founding then
    fields[#fields + 1] = 'first_seen'; fields[#fields + 1] = now
    if lone then fields[#fields + 1] = 'lone'; fields[#fields + 1] = 1 end
    if vouched then fields[#fields + 1] = 'vouched'; fields[#fields + 1] = 1 end
  end
  if reported ~= '' then
    for _, pair in ipairs({{'admin', admin}, {'users_phishing', users_phishing}, {'users_normal', users_normal},
        {'verdict', verdict}, {'source', source}}) do
      fields[#fields + 1] = pair[1]; fields[#fields + 1] = pair[2]
    end
  end
  if renew then fields[#fields + 1] = 'renewed'; fields[#fields + 1] = now end
  local is_raised = raised(vouched, verdict, source, senders, phishing_senders)
  -- A lure reported by an admin or by enough users keeps its template even before its campaign has enough senders:
  -- its next members may be ones the model lets through, which never bring a template of their own
  -- (weave_ml.campaigns.examples keeps it). A text vouched for never brings one.
  if template ~= '' and not h[6] and is_raised and (senders >= min_senders or verdict == 'phishing') then
    fields[#fields + 1] = 'template'; fields[#fields + 1] = template
  end
  redis.call('HSET', key, unpack(fields))
  if renew then
    -- Every satellite the group holds, the ones this call wrote among them, once; none that it does not hold.
    redis.call('EXPIRE', key, key_ttl)
    local held = {}
    if users_phishing + users_normal > 0 then held[1] = reporters_key end
    add_distinct_keys(held, senders_key, senders)
    add_distinct_keys(held, phishing_key, phishing_senders)
    for _, satellite in ipairs(held) do redis.call('EXPIRE', satellite, key_ttl) end
  else
    for _, satellite in ipairs(written) do
      if redis.call('TTL', satellite) < 0 then redis.call('EXPIRE', satellite, key_ttl) end
    end
  end
  if senders >= min_senders and (#written > 0 or renew) then
    local listed = redis.call('ZADD', active, now, id) == 1
    if listed then redis.call('HINCRBY', counters, new_counter, 1) end
    if renew or listed then
      redis.call('ZREMRANGEBYSCORE', active, '-inf', now - ttl)
      redis.call('EXPIRE', active, ttl)
    end
  end
  -- Every change of a verdict is kept with what made it: an admin, users (with their counts), or the scores.
  local change = ''
  local by = nil
  if verdict ~= was_verdict or source ~= was_source then
    by = source ~= '' and source or was_source
  elseif reported == '' and senders >= min_senders and is_raised ~= was_raised then
    by = 'scores'
  end
  if by then
    change = cjson.encode({
      campaign = id, at = now, source = by, verdict = verdict ~= '' and verdict or cjson.null, phishing = is_raised,
      reporters = {phishing = users_phishing, normal = users_normal}, senders = senders,
      phishing_senders = phishing_senders,
    })
    redis.call('LPUSH', log_key, change)
    redis.call('LTRIM', log_key, 0, log_length - 1)
    redis.call('EXPIRE', log_key, log_ttl)
  end
  out[#out + 1] = {id, messages, scored, first_seen, tostring(now), senders, verdict, phishing_senders, source,
    vouched and '1' or '0', users_phishing, users_normal, change}
  i = i + 5 + nbands
end
return out
