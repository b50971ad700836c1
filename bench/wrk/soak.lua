-- The soak: the paths of BENCH_PATHS (comma-separated) in turn, with BENCH_KEY when set.
local key = os.getenv("BENCH_KEY")
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS"), "[^,]+") do paths[#paths + 1] = path end
local n = 0

function request()
  n = n + 1
  local headers = {}
  if key and key ~= "" then headers["X-API-Key"] = key end
  return wrk.format("GET", paths[n % #paths + 1], headers)
end
