-- Authentication with many users' keys: each request uses the next key of BENCH_KEYS_FILE, so keys repeat only
-- after the whole file has been used (each thread starts at a different place in it).
local keys = {}
for line in io.lines(os.getenv("BENCH_KEYS_FILE")) do
  if line ~= "" then keys[#keys + 1] = line end
end
local threads = 0
local next_index = 1

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 4999)
end

function init(args)
  next_index = (offset or 0) % #keys + 1
end

function request()
  local key = keys[next_index]
  next_index = next_index % #keys + 1
  return wrk.format("GET", nil, { ["X-API-Key"] = key })
end
