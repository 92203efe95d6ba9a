-- The request wrk sends, configured by benchmarks/wrk.py through the environment:
--   BENCH_METHOD, BENCH_PATH, BENCH_BODY, BENCH_HEADERS ("Name: value" lines),
--   BENCH_VARY_QUERY=1 to put a never-sent query in place of __QUERY__ in each body
--   (the same queries as benchmarks/workload.py's distinct_query).
-- When the run is done it prints one line, "BENCH_RESULT {json}", with the counts and
-- the latency percentiles in microseconds.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
if body == "" then body = nil end
local vary = os.getenv("BENCH_VARY_QUERY") == "1"

local headers = {}
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:\n]+):%s*([^\n]*)") do
  headers[name] = value
end

local words = {
  "wireless", "headphones", "espresso", "machine", "laptop", "camera", "running", "shoes",
  "backpack", "smartwatch", "travel", "battery", "noise", "cancelling", "lightweight",
  "waterproof",
}

local threads_started = 0
function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_id", threads_started)
end

if vary then
  local counter = 0
  request = function()
    counter = counter + 1
    local first = words[(counter % #words) + 1]
    local second = words[(math.floor(counter / #words) % #words) + 1]
    local query = first .. " " .. second .. " q" .. (thread_id or 0) .. "x" .. counter
    local filled = string.gsub(body, "__QUERY__", query)
    return wrk.format(method, path, headers, filled)
  end
else
  wrk.method = method
  wrk.path = path
  wrk.body = body
  for name, value in pairs(headers) do
    wrk.headers[name] = value
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
