-- Claim one chunk of a batch job for scoring (weave_ml.serving.batches.BatchJobs.claim).
-- A chunk is claimed by one worker at a time, for a lease; a claim of a chunk already done, or leased to a worker
-- whose lease runs, is refused, so a chunk published twice (or redelivered) is scored by one worker.
--
-- KEYS: 1 the job's facts (hash), 2 its chunk payloads (hash: chunk number -> sealed items),
--   3 its chunk states (hash: <chunk>:seq, <chunk>:at, <chunk>:tries, <chunk>:lease).
-- ARGV: 1 chunk number, 2 now (epoch seconds), 3 lease (seconds), 4 claims allowed per chunk.
-- Returns {'done'} (no payload: scored already or the job is gone), {'busy'} (another worker's lease runs),
--   {'exhausted', payload, tries} (claimed too often: the caller fails its messages), or
--   {'claimed', payload, tries}.
local facts, payloads, states = KEYS[1], KEYS[2], KEYS[3]
local chunk, now, lease, max_tries = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local payload = redis.call('HGET', payloads, chunk)
if not payload then return {'done'} end
local leased_until = tonumber(redis.call('HGET', states, chunk .. ':lease') or '0')
if leased_until > now then return {'busy'} end
local tries = redis.call('HINCRBY', states, chunk .. ':tries', 1)
if tries > max_tries then return {'exhausted', payload, tries} end
redis.call('HSET', states, chunk .. ':lease', now + lease)
redis.call('HSET', facts, 'started', 1, 'progress_at', now)
return {'claimed', payload, tries}
