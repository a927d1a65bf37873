-- Record the results of one chunk of a batch job and retire it (weave_ml.serving.batches.BatchJobs.finish).
-- Only the first finish of a chunk records anything: a second worker that scored the same chunk (its lease ran out
-- while the first was still at it) records nothing, so every position is recorded exactly once.
--
-- KEYS: 1 the job's facts (hash), 2 its results (hash: position -> JSON), 3 its chunk payloads (hash),
--   4 its chunk states (hash), 5 the sorted set of unfinished jobs.
-- ARGV: 1 chunk number, 2 now (epoch seconds), 3 the results' TTL (seconds), 4 the job id, 5 how many of the
--   results are failures, then pairs of position and result (a score, or a failure {"error": …}); a chunk's
--   positions are its own.
-- Returns 1 when this call recorded the chunk, 0 when it was recorded already (or the job is gone).
local facts, results, payloads, states, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local chunk, now, ttl, job = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
if redis.call('HDEL', payloads, chunk) == 0 then return 0 end
redis.call('HDEL', states, chunk .. ':seq', chunk .. ':at', chunk .. ':tries', chunk .. ':lease', chunk .. ':pubs')
if #ARGV > 5 then
  redis.call('HSET', results, unpack(ARGV, 6))
  redis.call('EXPIRE', results, ttl)
end
redis.call('HINCRBY', facts, 'recorded', (#ARGV - 5) / 2)
-- A job created before failures were counted has no count: its status counts them from its results instead.
if tonumber(ARGV[5]) > 0 and redis.call('HEXISTS', facts, 'failed') == 1 then
  redis.call('HINCRBY', facts, 'failed', ARGV[5])
end
redis.call('HSET', facts, 'started', 1, 'progress_at', now)
if redis.call('HLEN', payloads) == 0 then
  redis.call('ZREM', active, job)
  redis.call('DEL', states)
end
return 1
