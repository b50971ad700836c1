-- Many tenants polling at once (issue 13): BENCH_TENANTS_FILE has one "<key> <transcript path>" line per tenant, each
-- with a bot of its own in progress. Requests go round the tenants, and each tenant's turn is one of GET /bots/status,
-- GET /meetings and its own live transcript, so every tenant polls all three.
local tenants = {}
for line in io.lines(os.getenv("BENCH_TENANTS_FILE")) do
  local key, path = line:match("^(%S+) (%S+)$")
  if key then tenants[#tenants + 1] = { key, path } end
end
local threads = 0
local n = 0
-- BENCH_TENANTS_KINDS=lists: only GET /bots/status and GET /meetings (the generations bench, issue 31: what users poll
-- must not cost a Wholesaler call per request, whichever Vexa it is).
local kinds = os.getenv("BENCH_TENANTS_KINDS") == "lists" and 2 or 3

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 101)
end

function init(args)
  n = offset or 0
end

function request()
  n = n + 1
  local tenant = tenants[math.floor(n / kinds) % #tenants + 1]
  local kind = n % kinds
  local path = tenant[2]
  if kind == 0 then path = "/bots/status" elseif kind == 1 then path = "/meetings" end
  return wrk.format("GET", path, { ["X-API-Key"] = tenant[1] })
end
