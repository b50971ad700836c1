#!/usr/bin/env bash
# Cold-starts the whole app N times in a row (default 10), each on a fresh data folder (a new PostgreSQL cluster and
# Redis), as scripts/run.sh would on a new machine, and reports the time from launch to all-healthy of each start.
# The gateway waits for every other resource, so its /health is the app's. A start that is not healthy within
# COLD_START_TIMEOUT seconds (default 300) counts as failed; its AppHost log (with DCP's debug lines) is kept.
# COLD_START_CONFIGURATION=Release builds and starts the Release build (default Debug); other settings pass through
# the environment (e.g. RunTuning__ServiceProxies=false, as scripts/bench.sh runs it).
# Usage: scripts/cold-starts.sh [N]     Exit code: non-zero if any start failed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
timeout=${COLD_START_TIMEOUT:-300}
logs=$(mktemp -d /tmp/vexa-cold-starts.XXXXXX)
chmod 755 "$logs" # the postgres OS user must reach the data folders inside

scripts/install-deps.sh
echo "building the AppHost and the services..."
configuration=${COLD_START_CONFIGURATION:-Debug}
dotnet build VexaService.AppHost -c "$configuration" --verbosity quiet -nologo >"$logs/build.log" 2>&1 || { cat "$logs/build.log"; exit 1; }
apphost=VexaService.AppHost/bin/$configuration/net10.0/VexaService.AppHost

pid=
stop() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  # DCP stops the run's processes after the AppHost has exited; the next start would wait for their ports (the AppHost
  # says so and waits), which is not the start this script measures.
  local waited=0
  while pgrep -f "dcp start-apiserver --monitor $pid" >/dev/null && [ "$waited" -lt 60 ]; do sleep 1; waited=$((waited + 1)); done
  echo "  stopped; its processes were gone ${waited}s after the AppHost"
  pid=
}
trap stop EXIT

times=()
failed=0
for run in $(seq 1 "$runs"); do
  data="$logs/data-$run"
  mkdir -p "$data"
  chmod 755 "$data"
  echo "start $run of $runs (data in $data)"
  started=$(date +%s.%N)
  (cd VexaService.AppHost && exec env \
    ASPNETCORE_URLS=http://localhost:15056 ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:19056 \
    ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:20056 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
    DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
    LocalInfra__DataDirectory="$data" Logging__LogLevel__Aspire.Hosting.Dcp=Debug \
    "../$apphost") >"$logs/apphost-$run.log" 2>&1 &
  pid=$!
  healthy=0
  waited=0
  while [ "$waited" -lt "$timeout" ]; do
    if [ "$(curl -s -m 2 http://127.0.0.1:8056/health || true)" = "Healthy" ]; then healthy=1; break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "  the AppHost exited"; break; fi
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % 15)) -eq 0 ]; then echo "  waiting for all-healthy: ${waited}s"; fi
  done
  elapsed=$(echo "$(date +%s.%N) - $started" | bc)
  if [ "$healthy" -eq 1 ]; then
    printf '  healthy after %.1f s\n' "$elapsed"
    times+=("$(printf '%.1f' "$elapsed")")
  else
    printf '  FAILED: not healthy after %.1f s (log: %s)\n' "$elapsed" "$logs/apphost-$run.log"
    times+=("failed")
    failed=$((failed + 1))
  fi
  stop
  # A clean run's data is not needed any more; a failed one's is kept next to its log.
  [ "$healthy" -eq 1 ] && rm -rf "$data" "$logs/apphost-$run.log"
done

echo "cold starts: $((runs - failed)) of $runs healthy; seconds to all-healthy: ${times[*]}"
[ "$failed" -eq 0 ]
