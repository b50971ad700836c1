-- GET the path given on wrk's command line, authenticated with BENCH_KEY (none for the floor).
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["X-API-Key"] = key
end
