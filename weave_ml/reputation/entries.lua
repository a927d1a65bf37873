-- Count sightings of domains and numbers, or record evidence on them (weave_ml.reputation.store). One call per
-- gathering of answers, per batch chunk or per report; atomic, so concurrent processes never lose a count or a
-- report. The time is the server's (TIME): one clock for every process.
--
-- KEYS: none declared. Every key is built from ARGV[1] (the prefix, "weave:reputation") and an entry's id
-- ("d:<registrable domain>" or "n:<keyed hash of a number>"):
--   <prefix>:<id>                   hash: messages, senders, phishing_senders, first_seen, last_seen, renewed, verdict,
--                                   source, admin, admin_at, users_phishing, users_normal, reports_phishing,
--                                   reports_normal, campaigns_admin, campaigns_users, campaigns_scores
--   <prefix>:<id>:sender-ids        set of the hashed senders of texts holding it (the first 64; those after: a
--                                   HyperLogLog under ...:sender-ids:more, see distinct.lib.lua)
--   <prefix>:<id>:phishing-sender-ids  the same of those who sent one scored phishing
--   <prefix>:<id>:reporters         hash: hashed reporter -> the verdict of their report
--   <prefix>:<id>:reports           hash: reported text -> an admin's verdict on it
--   <prefix>:<id>:campaigns         hash: campaign id -> what made the campaign phishing (admin, users, scores)
--   <prefix>:reporter:<hash>        sorted set: the entries a reporter's reports counted for in the last hour
--   <prefix>:judged:<verdict>       sorted set: the entries with that verdict, by when it was given or last renewed
--   <prefix>:admin                  hash: entry id -> an admin's verdict on it (processes keep it all in memory: a
--                                   sender's own number is judged by it alone)
--   <prefix>:verdict-log            list: every change of an entry's verdict, newest first (JSON)
--   <prefix>:changes                counter of verdict changes: processes forget what they remember when it moves
--   ARGV[10]                        the service counters' hash (a new entry is counted there)
-- ARGV: 1 prefix, 2 TTL (s), 3 mode ('observe', 'read' or 'report'), 4 distinct users a users' verdict needs, 5 entries a
--   reporter's reports count for per hour, 6 senders before scores count, 7 share of them who sent a text scored
--   phishing that makes an entry suspicious, 8 entries the verdict log keeps, 9 its TTL (s), 10 counters key,
--   11 new-entry counter name;
--   observe: then per message: hashed sender ('' if none), scored phishing ('1'/'0'), its number of subjects, and per
--     subject: id, protected ('1'/'0'); each subject is counted as seen in a text from that sender;
--   read: the same, nothing counted;
--   report: 12 what it says ('phishing' or 'normal'; for a campaign what made it phishing, 'admin', 'users' or
--     'scores', or '' when it no longer is), 13 who ('admin': on the entry itself; 'report': an admin on a text
--     holding it; 'user'; 'campaign'), 14 by (the reported text's key, the hashed reporter, the campaign's id; '' for
--     an admin), then per subject: id, protected ('1'/'0').
-- Returns per subject, as it stands after the call (observe and read: a list per message): {verdict, source, messages,
--   senders, phishing_senders, first_seen, last_seen, admin, users_phishing, users_normal, reports_phishing,
--   reports_normal, campaigns_admin, campaigns_users, campaigns_scores, seen_before ('1' when a text holding it was
--   counted before this call's)}; observe returns only what answers need: {verdict, source, messages, admin,
--   campaigns_admin, campaigns_users, campaigns_scores, seen_before}.
-- include: distinct.lib.lua

local prefix, ttl, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local users_needed, reporter_limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local min_senders, share = tonumber(ARGV[6]), tonumber(ARGV[7])
local log_key, log_length, log_ttl = prefix .. ':verdict-log', tonumber(ARGV[8]), tonumber(ARGV[9])
local counters, new_counter = ARGV[10], ARGV[11]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
-- TTLs are renewed when a sixteenth of the TTL has passed since the last renewal, not at every sighting.
local renew_every = ttl / 16
local FIELDS = {'verdict', 'source', 'messages', 'senders', 'phishing_senders', 'first_seen', 'last_seen', 'admin',
  'users_phishing', 'users_normal', 'reports_phishing', 'reports_normal', 'campaigns_admin', 'campaigns_users',
  'campaigns_scores', 'renewed'}
local COUNTS = {messages = true, senders = true, phishing_senders = true, users_phishing = true, users_normal = true,
  reports_phishing = true, reports_normal = true, campaigns_admin = true, campaigns_users = true,
  campaigns_scores = true}
local SATELLITES = {':reporters', ':reports', ':campaigns'}

local function load(key)
  local raw = redis.call('HMGET', key, unpack(FIELDS))
  local e = {}
  for i, name in ipairs(FIELDS) do
    if COUNTS[name] then e[name] = tonumber(raw[i] or '0') else e[name] = raw[i] or '' end
  end
  return e
end

-- What the evidence says, strongest first (weave_ml.reputation.policy reads the result). An admin's verdict on the
-- entry is final; a protected entry (official, where anyone publishes, an organisation's number) is judged by nothing
-- else. A lure cannot make its link legitimate, while a normal text may quote a lure's (a warning): admins' phishing
-- verdicts on texts outweigh their normal ones. Users never outweigh an admin; scores make an entry suspicious at most.
local function judged(e, protected)
  if e.admin ~= '' then return (e.admin == 'phishing') and 'reported' or 'clean', 'admin' end
  if protected then return '', '' end
  if e.reports_phishing > 0 then return 'reported', 'reports' end
  if e.campaigns_admin > 0 then return 'reported', 'campaign' end
  if e.reports_normal > 0 then return 'clean', 'reports' end
  if e.campaigns_users > 0 then return 'reported', 'campaign' end
  -- Users who say "normal" must outnumber those who reported it: a lure's sender has every reason to say so.
  if e.users_phishing >= users_needed and e.users_phishing >= e.users_normal then return 'reported', 'users' end
  if e.campaigns_scores > 0 or (e.senders >= min_senders and e.phishing_senders >= share * e.senders) then
    return 'suspicious', 'scores'
  end
  if e.users_normal >= users_needed and e.users_normal > e.users_phishing then return 'clean', 'users' end
  return '', ''
end

-- Judge an entry after a change of its evidence or counts and write it: every change of its verdict is logged with
-- what made it, and moves the counter processes watch. ``written``: satellites created or changed by the call.
local function settle(id, key, e, protected, fields, written)
  local fresh = e.renewed == ''
  local verdict, source = judged(e, protected)
  local renew = fresh or now - tonumber(e.renewed) >= renew_every
  if verdict ~= e.verdict or source ~= e.source then
    fields[#fields + 1] = 'verdict'; fields[#fields + 1] = verdict
    fields[#fields + 1] = 'source'; fields[#fields + 1] = source
    if e.verdict ~= '' then redis.call('ZREM', prefix .. ':judged:' .. e.verdict, id) end
    if verdict ~= '' then
      redis.call('ZADD', prefix .. ':judged:' .. verdict, now, id)
      redis.call('EXPIRE', prefix .. ':judged:' .. verdict, ttl)
    end
    redis.call('LPUSH', log_key, cjson.encode({
      entry = id, at = now, source = source ~= '' and source or e.source,
      verdict = verdict ~= '' and verdict or cjson.null, was = e.verdict ~= '' and e.verdict or cjson.null,
      reporters = {phishing = e.users_phishing, normal = e.users_normal},
      reports = {phishing = e.reports_phishing, normal = e.reports_normal},
      campaigns = {admin = e.campaigns_admin, users = e.campaigns_users, scores = e.campaigns_scores},
      senders = e.senders, phishing_senders = e.phishing_senders,
    }))
    redis.call('LTRIM', log_key, 0, log_length - 1)
    redis.call('EXPIRE', log_key, log_ttl)
    redis.call('INCR', prefix .. ':changes')
    redis.call('EXPIRE', prefix .. ':changes', ttl)
    e.verdict, e.source = verdict, source
  elseif renew and verdict ~= '' then
    redis.call('ZADD', prefix .. ':judged:' .. verdict, now, id)
  end
  if fresh then redis.call('HINCRBY', counters, new_counter, 1) end
  if renew then fields[#fields + 1] = 'renewed'; fields[#fields + 1] = now end
  redis.call('HSET', key, unpack(fields))
  if renew then
    redis.call('EXPIRE', key, ttl)
    -- A new entry holds no satellite but the ones this call wrote.
    local held = written
    if not fresh then
      held = {}
      for _, satellite in ipairs(SATELLITES) do held[#held + 1] = key .. satellite end
      add_distinct_keys(held, key .. ':sender-ids', e.senders)
      add_distinct_keys(held, key .. ':phishing-sender-ids', e.phishing_senders)
    end
    for _, satellite in ipairs(held) do redis.call('EXPIRE', satellite, ttl) end
  else
    for _, satellite in ipairs(written) do
      if redis.call('TTL', satellite) < 0 then redis.call('EXPIRE', satellite, ttl) end
    end
  end
end

local function row(e, seen_before)
  return {e.verdict, e.source, e.messages, e.senders, e.phishing_senders, tostring(e.first_seen),
    tostring(e.last_seen), e.admin, e.users_phishing, e.users_normal, e.reports_phishing, e.reports_normal,
    e.campaigns_admin, e.campaigns_users, e.campaigns_scores, seen_before and '1' or '0'}
end

local function short_row(e, seen_before)
  return {e.verdict, e.source, e.messages, e.admin, e.campaigns_admin, e.campaigns_users, e.campaigns_scores,
    seen_before and '1' or '0'}
end

-- One text holding the entry was seen from ``sender``; ``scored``: it was scored phishing.
local function sighted(id, protected, sender, scored)
  local key = prefix .. ':' .. id
  local e = load(key)
  local seen_before = e.messages > 0
  e.messages = e.messages + 1
  local fields = {'messages', e.messages, 'last_seen', now}
  if e.first_seen == '' then
    e.first_seen = tostring(now)
    fields[#fields + 1] = 'first_seen'; fields[#fields + 1] = e.first_seen
  end
  e.last_seen = tostring(now)
  local written = {}
  -- The share counts senders, not texts: one sender repeating a text weighs as one.
  local function count_sender(field, suffix)
    local count = add_distinct(key .. suffix, sender, written)
    if count then
      e[field] = count
      fields[#fields + 1] = field; fields[#fields + 1] = count
    end
  end
  if sender ~= '' then
    count_sender('senders', ':sender-ids')
    if scored then count_sender('phishing_senders', ':phishing-sender-ids') end
  end
  settle(id, key, e, protected, fields, written)
  return short_row(e, seen_before)
end

-- Evidence on the entry: ``says`` by ``who`` (see the header), ``by`` whom.
local function reported(id, protected, says, who, by)
  local key = prefix .. ':' .. id
  local e = load(key)
  local fields, written = {}, {}
  -- One verdict per reporter, report or campaign, kept in ``hash``: a second one changes the counts (the fields
  -- ``counted(verdict)`` names) by the difference only.
  local function recount(hash, member, counted)
    local before = redis.call('HGET', key .. hash, member) or ''
    if before == says then return end
    if says == '' then redis.call('HDEL', key .. hash, member) else redis.call('HSET', key .. hash, member, says) end
    written[#written + 1] = key .. hash
    for _, change in ipairs({{before, -1}, {says, 1}}) do
      if change[1] ~= '' then
        local field = counted(change[1])
        e[field] = e[field] + change[2]
        fields[#fields + 1] = field; fields[#fields + 1] = e[field]
      end
    end
  end
  if who == 'admin' then
    e.admin = says
    fields = {'admin', says, 'admin_at', now}
    redis.call('HSET', prefix .. ':admin', id, says)
    redis.call('EXPIRE', prefix .. ':admin', ttl)
  elseif who == 'report' then
    recount(':reports', by, function(verdict) return 'reports_' .. verdict end)
  elseif who == 'user' then
    -- A reporter's reports count for at most reporter_limit entries an hour; reporting one entry again (the same
    -- report swept twice, or a change of mind) uses nothing more.
    local budget = prefix .. ':reporter:' .. by
    redis.call('ZREMRANGEBYSCORE', budget, '-inf', now - 3600)
    if redis.call('ZSCORE', budget, id) or redis.call('ZCARD', budget) < reporter_limit then
      redis.call('ZADD', budget, now, id)
      redis.call('EXPIRE', budget, 3600)
      recount(':reporters', by, function(verdict) return 'users_' .. verdict end)
    end
  else
    recount(':campaigns', by, function(source) return 'campaigns_' .. source end)
  end
  if #fields == 0 then return row(e, e.messages > 0) end  -- nothing new: nothing written
  settle(id, key, e, protected, fields, written)
  return row(e, e.messages > 0)
end

local out = {}
if mode == 'report' then
  local says, who, by = ARGV[12], ARGV[13], ARGV[14]
  local i = 15
  while i <= #ARGV do
    out[#out + 1] = reported(ARGV[i], ARGV[i + 1] == '1', says, who, by)
    i = i + 2
  end
  return out
end
local i = 12
while i <= #ARGV do
  local sender, scored, count = ARGV[i], ARGV[i + 1] == '1', tonumber(ARGV[i + 2])
  local rows = {}
  for s = 0, count - 1 do
    local id, protected = ARGV[i + 3 + 2 * s], ARGV[i + 4 + 2 * s] == '1'
    if mode == 'observe' then
      rows[#rows + 1] = sighted(id, protected, sender, scored)
    else
      local e = load(prefix .. ':' .. id)
      rows[#rows + 1] = row(e, e.messages > 0)
    end
  end
  out[#out + 1] = rows
  i = i + 3 + 2 * count
end
return out
