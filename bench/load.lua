-- wrk script: POST /predict with messages from a pool, made unique per request unless UNIQUE is false.
-- The pool file (one JSON-escaped message per line), the mode and a tag of the run come from the command line:
--   wrk ... -s bench/load.lua <url> -- <pool file> <unique|cached> <run tag>
-- The run tag keeps unique texts unique across runs: wrk does not seed math.random, so without it every run
-- would send the texts of the run before, and a server with a cache would answer them as repeats.
local pool = {}
local unique = true
local counter = 0
local thread_tag = ""

function setup(thread)
  thread:set("thread_tag", tostring(math.random(1, 2147483647)))
end

function init(args)
  for line in io.lines(args[1]) do
    pool[#pool + 1] = line
  end
  unique = args[2] ~= "cached"
  thread_tag = (args[3] or "") .. "-" .. thread_tag
end

function request()
  counter = counter + 1
  local message = pool[(counter % #pool) + 1]
  if unique then
    message = message .. " #" .. thread_tag .. "-" .. counter
  end
  local body = '{"message":"' .. message .. '"}'
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
