#!/usr/bin/env bash
# The benchmark (GitHub issue 7), one command: builds Release, starts the whole app through the AppHost (emulator as
# Wholesaler, timing knobs near zero, its own data folder and PostgreSQL/Redis ports), measures the cold start to
# all-healthy, creates users/keys/meetings through the gateway's real API, and drives each scenario with wrk
# (-t2 -c32; a warm-up, then 3 repetitions interleaved with the FLOOR: a bare YARP hop, bench/FloorProxy, in front of
# bench/StaticBackend serving a document of the same size). Writes bench/results/<timestamp>.md and a folder of raw
# output beside it. See bench/README.md. The dev app (scripts/run.sh) must not be running: the services keep their
# launch-profile ports (8056, 5101-5103, 5190).
#   BENCH_DURATION=10 BENCH_WARMUP=5 BENCH_SOAK=60 BENCH_AUTH_USERS=10000 BENCH_TENANTS=200 BENCH_TENANTS_SECONDS=30 \
#   BENCH_LIVE_TENANTS=200 BENCH_LIVE_SOCKETS=5 BENCH_LIVE_SECONDS=20 BENCH_LIVE_PAIRS=3 scripts/bench.sh
# BENCH_TRACE_SAMPLING (default 0.01; 1 = every span, as scripts/run.sh) and BENCH_SERVICE_PROXIES (default false; true =
# DCP's proxies, as scripts/run.sh) choose how the app runs; the report states both.
# The emulator enforces current Vexa's per-key rate limit (burst 120, 40/s) and the Retailer keeps its default Wholesaler
# budget (20/s, burst 60; Wholesaler__BudgetPerSecond=0 turns it off); every run records the Wholesaler calls it caused.
# BENCH_ONLY=tenants BENCH_GENERATION=0.12|1.5|2025-09 runs scenario (7) alone against the emulator playing that Vexa with
# its own rate limits, the tenants polling GET /bots/status and GET /meetings only, and prints one GENERATION line
# (scripts/bench-generations.sh runs all three).
# BENCH_ONLY=transcripts (issue 32) runs scenario (7t) alone: every tenant polls its own live transcript twice a second
# (bench/live_transcripts.py), bots joining in 9 s and hearing a segment every 500 ms; prints one TRANSCRIPTS line
# (answers, how far behind the Wholesaler, Wholesaler calls and 429s). BENCH_GENERATION=1.5 for the hosted budget.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-5}
soak=${BENCH_SOAK:-60}
auth_users=${BENCH_AUTH_USERS:-10000}
tenants=${BENCH_TENANTS:-200} tenants_seconds=${BENCH_TENANTS_SECONDS:-30}
live_tenants=${BENCH_LIVE_TENANTS:-200} live_per_tenant=${BENCH_LIVE_SOCKETS:-5} live_seconds=${BENCH_LIVE_SECONDS:-20}
live_pairs=${BENCH_LIVE_PAIRS:-3}
pg_port=57438 redis_port=57380 dashboard_port=25056 otlp_port=29056 resource_port=29057
floor_port=58081 backend_port=58082
gateway=http://127.0.0.1:8056
emulator=http://127.0.0.1:5190
admin_key=bench$(head -c 512 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 40)
system_key=bench$(head -c 512 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 40)
generation=${BENCH_GENERATION:-2025-09}
# 2025-09 had no rate limit of its own: the emulator plays current Vexa's per-key bucket; 0.12 and 1.5 play their own.
key_bucket="Emulator__RateLimitBurst=120 Emulator__RateLimitPerSecond=40"
[ "$generation" = 2025-09 ] || key_bucket="Emulator__RateLimitBurst=0"
# How the emulator's bots talk: a segment every 10 ms up to 100 (a full transcript at once), statuses every 10 ms; for
# (7t) meetings that stay live, joining as slowly as real bots do.
segment_ms=10 max_segments=100 status_step_ms=10
[ "${BENCH_ONLY:-}" = transcripts ] && segment_ms=500 max_segments=100000 status_step_ms=3000

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$root/bench/results/$stamp"
work=$(mktemp -d /tmp/vexa-bench-XXXXXX)
chmod 755 "$work" # the postgres OS user must reach its data folder inside
mkdir -p "$results"

# --- tools -------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
scripts/install-deps.sh >/dev/null

for port in 8056 5101 5102 5103 5190 $pg_port $redis_port $dashboard_port $otlp_port $resource_port $floor_port $backend_port; do
  if ss -ltn | awk '{print $4}' | grep -qE "[:.]$port\$"; then
    echo "port $port is in use: stop the dev app (scripts/run.sh) or whatever listens there, then retry" >&2; exit 1
  fi
done

# --- build (Release) ---------------------------------------------------------------------------------------------
build() {
  for attempt in 1 2 3; do
    dotnet build "$1" -c Release --nologo -v quiet -clp:ErrorsOnly && return 0
    echo "build of $1 failed (attempt $attempt); another build may hold the files, retrying in 30 s" >&2; sleep 30
  done
  return 1
}
build VexaService.AppHost
build bench/FloorProxy
build bench/StaticBackend
build bench/LiveBench

# --- start the app -----------------------------------------------------------------------------------------------
pids=()
cleanup() {
  # SIGTERM to the AppHost stops DCP and every resource it started (services, PostgreSQL, Redis).
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Measured as deployed rather than as debugged: root traces sampled (RunTuning:TraceSampling; 1 exports every span, as
# scripts/run.sh does) and services listening on their own ports, not behind DCP's proxies (RunTuning:ServiceProxies).
trace_sampling=${BENCH_TRACE_SAMPLING:-0.01}
service_proxies=${BENCH_SERVICE_PROXIES:-false}
started=$(date +%s.%N)
(cd VexaService.AppHost && exec env \
  ASPNETCORE_URLS=http://localhost:$dashboard_port \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:$otlp_port \
  ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:$resource_port \
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true DOTNET_ENVIRONMENT=Development \
  LocalInfra__Mode=processes LocalInfra__PostgresPort=$pg_port LocalInfra__RedisPort=$redis_port \
  LocalInfra__DataDirectory="$work/data" \
  Parameters__admin-api-key="$admin_key" Parameters__wholesaler-api-key="$system_key" \
  RateLimit__PermitLimit=1000000000 RateLimit__ClientLookupsPerSecond=0 RateLimit__ClientAdminFailuresPerMinute=0 \
  Emulator__BotJoinDelayMs=0 Emulator__SegmentIntervalMs=$segment_ms Emulator__MaxSegmentsPerMeeting=$max_segments \
  Emulator__StopDelayMs=0 Emulator__SegmentFinalizeDelayMs=0 Emulator__MaxConcurrentBots=100000 \
  $key_bucket Emulator__Behaviour="$generation" Emulator__StatusStepMs=$status_step_ms \
  RunTuning__TraceSampling="$trace_sampling" RunTuning__ServiceProxies="$service_proxies" \
  bin/Release/net10.0/VexaService.AppHost) >"$results/apphost.log" 2>&1 &
pids+=($!)

# The gateway starts only after every other resource is healthy (WaitFor), so its health is the app's.
healthy=0
for _ in $(seq 1 600); do
  if [ "$(curl -s -m 2 $gateway/health || true)" = "Healthy" ] \
     && [ "$(curl -s -m 2 $emulator/health || true)" = "Healthy" ]; then healthy=1; break; fi
  sleep 0.2
done
[ $healthy -eq 1 ] || { echo "the app did not become healthy; see $results/apphost.log" >&2; exit 1; }
cold_start=$(echo "$(date +%s.%N) - $started" | bc)
echo "cold start to all-healthy: ${cold_start}s"

# (7t) Live transcripts polled by many tenants (issue 32): answered from our copy, fed by the Wholesaler's /ws.
if [ "${BENCH_ONLY:-}" = transcripts ]; then
  echo "scenario live transcripts ($tenants tenants, ${tenants_seconds}s, Vexa $generation)"
  python3 bench/setup.py $gateway "$admin_key" "$work" tenants "$tenants"
  echo "waiting 12 s: the last bots joining (3 steps of 3 s)"
  sleep 12
  stats() { curl -s -H "X-API-Key: $system_key" $emulator/_emulator/stats; }
  stats >"$results/emulator-stats-transcripts-before.json"
  started_at=$(date +%s.%N)
  python3 bench/live_transcripts.py $gateway "$work/tenants.txt" "$tenants_seconds" "$segment_ms" | tee "$results/transcripts.txt"
  ended_at=$(date +%s.%N)
  stats >"$results/emulator-stats-transcripts-after.json"
  python3 - "$results" "$generation" "$started_at" "$ended_at" <<'PY' | tee -a "$results/transcripts.txt"
import json, sys
results, generation, started, ended = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
run = json.loads([l for l in open(f"{results}/transcripts.txt") if l.startswith("TRANSCRIPTS_JSON ")][-1].split(" ", 1)[1])
before = json.load(open(f"{results}/emulator-stats-transcripts-before.json"))
after = json.load(open(f"{results}/emulator-stats-transcripts-after.json"))
calls = after["requests_total"] - before["requests_total"]
refused = after["rate_limited"] - before["rate_limited"]
budget = {"2025-09": 20, "0.12": 8, "1.5": 1.8}[generation]
answers = sum(run["answers"].values())
print(f"TRANSCRIPTS {generation}: {answers:,} answers {run['answers']}, {run['without_segments']} before the first segment; "
      f"behind the Wholesaler p50 {run['lag_p50_s']:.2f} s, p99 {run['lag_p99_s']:.2f} s, max {run['lag_max_s']:.2f} s; "
      f"Wholesaler calls {calls} in {ended - started:.1f} s = {calls / (ended - started):.2f}/s (budget {budget}/s); "
      f"Wholesaler 429s/403s: {refused}")
PY
  exit 0
fi

# --- data through the real API -----------------------------------------------------------------------------------
# BENCH_ONLY=live runs scenario (8) alone (a quick check of /ws; no report, the two LIVE_JSON lines instead);
# BENCH_ONLY=transcript runs scenario (1) alone; BENCH_ONLY=soak, scenario (4) once then the soak.
if [ "${BENCH_ONLY:-}" != live ]; then
if [ "${BENCH_ONLY:-}" != tenants ]; then
python3 bench/setup.py $gateway "$admin_key" "$work" "$auth_users"
cp "$work/docs/"*.json "$results/" 2>/dev/null || true
transcript_path=$(python3 -c "import json;print(json.load(open('$work/setup.json'))['transcript_path'])")
transcript_meeting=$(python3 -c "import json;print(json.load(open('$work/setup.json'))['transcript_meeting_id'])")
cp "$work/setup.json" "$results/setup.json"

bench/StaticBackend/bin/Release/net10.0/VexaService.Bench.StaticBackend --urls http://127.0.0.1:$backend_port \
  --Bench:Documents="$work/docs" >"$results/static-backend.log" 2>&1 & pids+=($!)
bench/FloorProxy/bin/Release/net10.0/VexaService.Bench.FloorProxy --urls http://127.0.0.1:$floor_port \
  --Bench:Backend=http://127.0.0.1:$backend_port >"$results/floor-proxy.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:$floor_port/transcript.json && break; sleep 0.2; done
fi # not BENCH_ONLY=tenants

# --- load --------------------------------------------------------------------------------------------------------
runs="$results/runs.jsonl"
: >"$runs"
# wrk_run <scenario> <target: retailer|floor> <rep: warmup|1|2|3|soak> <seconds> <script> <url> [script args...]
wrk_run() {
  local scenario=$1 target=$2 rep=$3 seconds=$4 script=$5 url=$6; shift 6
  cat "bench/wrk/$script" bench/wrk/report.lua >"$work/script.lua"
  local before after raw="$results/$scenario-$target-$rep.txt"
  before=$(python3 bench/procstat.py)
  local calls_before calls_after
  calls_before=$(emulator_stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["requests_total"])')
  timeout $((seconds + 30)) wrk -t2 -c32 -d"${seconds}s" --latency --timeout 10s -s "$work/script.lua" "$url" -- "$@" >"$raw" 2>&1 || true
  after=$(python3 bench/procstat.py)
  calls_after=$(emulator_stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["requests_total"])')
  python3 - "$scenario" "$target" "$rep" "$raw" "$(( calls_after - calls_before ))" "$seconds" <<PY >>"$runs"
import json, sys
scenario, target, rep, raw = sys.argv[1:5]
wholesaler_calls, seconds = int(sys.argv[5]), float(sys.argv[6])
line = next((l for l in open(raw) if l.startswith("BENCH_JSON ")), None)
result = json.loads(line[len("BENCH_JSON "):]) if line else {"error": open(raw).read()[-500:]}
before, after = json.loads('''$before'''), json.loads('''$after''')
cpu = {}
for pid, (name, ticks, _) in after.items():
    spent = ticks - before.get(pid, [name, 0, 0])[1]
    if spent > 0:
        cpu[name] = cpu.get(name, 0) + spent
# Every request the Wholesaler emulator received while this run lasted: to it we are one user with one rate limit.
result.update(scenario=scenario, target=target, rep=rep, cpu_ticks=cpu, wholesaler_calls_per_s=wholesaler_calls / seconds)
print(json.dumps(result))
PY
  echo "  $scenario $target $rep: $(tail -n 1 "$runs" | python3 -c 'import json,sys;r=json.load(sys.stdin);print(r.get("rps"), "rps, p99", r.get("p99_ms"), "ms, non-2xx", r.get("non2xx"), ", Wholesaler calls/s", round(r["wholesaler_calls_per_s"], 1))')"
}

# scenario <name> <retailer script> <retailer path> <floor document> [before-each-rep command] -- [script args per rep: prefix]
scenario() {
  local name=$1 script=$2 path=$3 doc=$4 before=${5:-true}
  echo "scenario $name"
  eval "$before"; wrk_run "$name" retailer warmup "$warmup" "$script" "$gateway$path" "${name:0:1}qa"
  BENCH_KEY= wrk_run "$name" floor warmup "$warmup" get.lua "http://127.0.0.1:$floor_port/$doc"
  for rep in 1 2 3; do
    eval "$before"; wrk_run "$name" retailer $rep "$duration" "$script" "$gateway$path" "${name:0:1}q$(echo $rep | tr 123 bcd)"
    BENCH_KEY= wrk_run "$name" floor $rep "$duration" get.lua "http://127.0.0.1:$floor_port/$doc"
  done
}

key() { cat "$work/keys/$1.txt"; }
emulator_stats() { curl -s -H "X-API-Key: $system_key" $emulator/_emulator/stats; }
procs() { python3 bench/procstat.py; }

if [ "${BENCH_ONLY:-}" != tenants ]; then
sleep 5
procs >"$results/proc-idle.json"

# (1) The first read after the cache is emptied costs the Wholesaler call; every later one must not.
redis-cli -p $redis_port DEL "transcript:v1:$transcript_meeting" >/dev/null
for pattern in 'transcript:route:*' 'transcript:body:*'; do # the gateway's route cache (TranscriptRouteCache)
  redis-cli -p $redis_port --scan --pattern "$pattern" | xargs -r redis-cli -p $redis_port DEL >/dev/null
done
emulator_stats >"$results/emulator-stats-before.json"
BENCH_KEY=$(key transcript) scenario transcript get.lua "$transcript_path" transcript.json
emulator_stats >"$results/emulator-stats-after.json"
# BENCH_ONLY=transcript runs scenario (1) alone (the gateway's cached hot path): medians against the floor, no report.
if [ "${BENCH_ONLY:-}" = transcript ]; then
  python3 - "$runs" <<'PY' | tee "$results/transcript-only.txt"
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
def med(target, field):
    return statistics.median(r[field] for r in runs if r["scenario"] == "transcript" and r["target"] == target and r["rep"] in ("1", "2", "3"))
rps, p99, frps, fp99 = med("retailer", "rps"), med("retailer", "p99_ms"), med("floor", "rps"), med("floor", "p99_ms")
print(f"(1) retailer {rps:,.0f} rps, p99 {p99:.2f} ms; floor {frps:,.0f} rps, p99 {fp99:.2f} ms; "
      f"RPS ratio {rps / frps:.2f}, p99 ratio {p99 / fp99:.2f} (target: p99 <= 1.5x floor)")
PY
  exit 0
fi
# BENCH_ONLY=soak runs scenario (4) once (it leaves bots running, as in a full run) then the soak, and prints each
# service's RSS growth over the soak: a quick check of memory without the whole run.
if [ "${BENCH_ONLY:-}" = soak ]; then
  BENCH_KEY=$(key cycle) wrk_run cycle retailer 1 $((4 * duration)) cycle.lua "$gateway/bots" cqb
  procs >"$results/proc-before-soak.json"
  echo "soak (${soak}s)"
  BENCH_KEY=$(key transcript) BENCH_PATHS="$transcript_path,/meetings,/bots/status" \
    wrk_run soak retailer soak "$soak" soak.lua "$gateway/"
  procs >"$results/proc-after-soak.json"
  python3 - "$results" <<'PY' | tee "$results/soak-only.txt"
import json, sys
before, after = (json.load(open(f"{sys.argv[1]}/proc-{n}.json")) for n in ("before-soak", "after-soak"))
def rss(snapshot, name):
    return sum(kb for n, _, kb in snapshot.values() if n == name) / 1024
for service in ("Gateway", "Transcripts", "BotManager", "AdminApi", "WholesalerEmulator"):
    b, a = rss(before, f"VexaService.{service}"), rss(after, f"VexaService.{service}")
    print(f"{service}: {b:.0f} -> {a:.0f} MiB, {100 * (a - b) / b:+.1f} % over the soak")
PY
  exit 0
fi
curl -s -H "X-API-Key: $system_key" $emulator/meetings >"$results/emulator-meetings.json"
emulator_stats >"$results/emulator-stats-start.json" # after the bench's own listing above

BENCH_KEY=$(key meetings) scenario meetings get.lua /meetings meetings.json
BENCH_KEY=$(key status) scenario status get.lua /bots/status status.json
BENCH_KEY=$(key cycle) scenario cycle cycle.lua /bots cycle.json
# (5) Every repetition starts with no cached key lookups: each key's first use goes to PostgreSQL.
flush_auth="redis-cli -p $redis_port --scan --pattern 'auth:token:*' | xargs -r -n 1000 redis-cli -p $redis_port DEL >/dev/null"
BENCH_KEYS_FILE="$work/auth-keys.txt" scenario auth keys.lua /meetings auth.json "$flush_auth"

procs >"$results/proc-before-soak.json"
echo "soak (${soak}s)"
BENCH_KEY=$(key transcript) BENCH_PATHS="$transcript_path,/meetings,/bots/status" \
  wrk_run soak retailer soak "$soak" soak.lua "$gateway/"
BENCH_PATHS="/transcript.json,/meetings.json,/status.json" wrk_run soak floor soak "$soak" soak.lua "http://127.0.0.1:$floor_port/"
procs >"$results/proc-after-soak.json"
emulator_stats >"$results/emulator-stats-end.json"
curl -s -H "X-API-Key: $system_key" $emulator/meetings | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["meetings"]))' \
  >"$results/emulator-meeting-count.txt"
fi # not BENCH_ONLY=tenants

# (7) Many tenants polling at once, each its own bot in progress: to the Wholesaler we are one user, so the calls
# they cause must stay within the Retailer's budget, and the emulator (rate limit on) must never answer 429.
echo "scenario tenants ($tenants tenants, ${tenants_seconds}s, Vexa $generation)"
[ "${BENCH_ONLY:-}" = tenants ] && export BENCH_TENANTS_KINDS=${BENCH_TENANTS_KINDS:-lists} # "all": the live transcript too, as in a full run
python3 bench/setup.py $gateway "$admin_key" "$work" tenants "$tenants"
sleep 2 # the bots' first status changes
date +%s.%N >"$results/tenants-started.txt"
emulator_stats >"$results/emulator-stats-tenants-before.json"
BENCH_TENANTS_FILE="$work/tenants.txt" wrk_run tenants retailer 1 "$tenants_seconds" tenants.lua "$gateway/"
emulator_stats >"$results/emulator-stats-tenants-after.json"
date +%s.%N >"$results/tenants-ended.txt"
if [ "${BENCH_ONLY:-}" = tenants ]; then
  python3 - "$results" "$generation" <<'PY' | tee "$results/generation.txt"
import json, sys
results, generation = sys.argv[1], sys.argv[2]
run = [json.loads(line) for line in open(f"{results}/runs.jsonl") if '"tenants"' in line][-1]
before = json.load(open(f"{results}/emulator-stats-tenants-before.json"))
after = json.load(open(f"{results}/emulator-stats-tenants-after.json"))
seconds = float(open(f"{results}/tenants-ended.txt").read()) - float(open(f"{results}/tenants-started.txt").read())
calls = after["requests_total"] - before["requests_total"]
refused = after["rate_limited"] - before["rate_limited"]
budget = {"2025-09": 20, "0.12": 8, "1.5": 1.8}[generation]
limit = {"2025-09": "none of its own", "0.12": "600/min per address", "1.5": "120/min per key"}[generation]
print(f"GENERATION {generation}: {run['requests']:,} answers, {run['non2xx']} not 2xx, {run['socket_errors']} socket errors; "
      f"Wholesaler calls {calls} in {seconds:.1f} s = {calls / seconds:.2f}/s (budget {budget}/s, its limit {limit}); "
      f"Wholesaler 429s/403s: {refused}")
PY
  exit 0
fi

fi # BENCH_ONLY

# (8) Live transcripts over /ws: every tenant watches its own meeting (a bot hearing a segment every 200 ms) from
# several sockets through the gateway, then the same sockets watch the same meetings straight at the emulator's /ws
# (the floor, with the system key), one after the other in this run. LiveBench measures from each frame's "ts" (the
# emulator's publish) to its receipt, and the RSS growth of the process serving the sockets.
echo "scenario live ($live_tenants tenants x $live_per_tenant sockets, ${live_seconds}s each side)"
play() { curl -s -o /dev/null -X PUT -H "X-API-Key: $system_key" -H 'Content-Type: application/json' -d "$1" $emulator/_emulator/behaviour; }
play '{"segment_interval_ms": 200, "max_segments": 100000}'
python3 bench/setup.py $gateway "$admin_key" "$work" live "$live_tenants"
play '{}'
pid_of() { python3 bench/procstat.py | python3 -c "import json,sys; print(next(p for p, v in json.load(sys.stdin).items() if v[0] == '$1'))"; }
live_bench=bench/LiveBench/bin/Release/net10.0/VexaService.Bench.LiveBench
# Pairs of runs, gateway then floor: one run's p99 moves by tens of milliseconds on two shared cores, so the report
# takes the median of each side.
for pair in $(seq 1 "$live_pairs"); do
  echo "scenario live: pair $pair of $live_pairs, through the gateway"
  $live_bench --url ws://127.0.0.1:8056/ws --tenants "$work/live.txt" --per-tenant "$live_per_tenant" --seconds "$live_seconds" \
    --pid "$(pid_of VexaService.Gateway)" | tee -a "$results/live-retailer.txt"
  echo "scenario live: pair $pair of $live_pairs, the floor (straight at the emulator)"
  # The floor's sockets all use the system key: the emulator's per-key rate limit would refuse most of their upgrades.
  play '{"rate_limit_burst": 0}'
  $live_bench --url ws://127.0.0.1:5190/ws --tenants "$work/live.txt" --key "$system_key" --per-tenant "$live_per_tenant" \
    --seconds "$live_seconds" --pid "$(pid_of VexaService.WholesalerEmulator)" | tee -a "$results/live-floor.txt"
  play '{}'
done
if [ "${BENCH_ONLY:-}" = live ]; then
  grep -h LIVE_JSON "$results/live-retailer.txt" "$results/live-floor.txt"
  python3 bench/live.py "$results"
  exit 0
fi

BENCH_TRACE_SAMPLING=$trace_sampling BENCH_SERVICE_PROXIES=$service_proxies python3 bench/report.py "$results" "$cold_start" >"$root/bench/results/$stamp.md"
cat "$root/bench/results/$stamp.md"
