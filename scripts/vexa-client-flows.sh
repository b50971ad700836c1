#!/usr/bin/env bash
# Issue 31's acceptance run: for each Vexa we resell (the emulator playing 2025-09, 0.12, 1.5), the whole app through
# the AppHost, and a user's whole flow with Vexa's own Python client (tests/clients/vexa_client.py, unchanged) through
# our gateway (tests/clients/flow.py). Then every answer's shape must equal the 2025-09 run's.
#   scripts/vexa-client-flows.sh [generation...]      (needs python3 with requests; the dev app must not be running)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
generations=("$@")
[ ${#generations[@]} -gt 0 ] || generations=(2025-09 0.12 1.5)
gateway=http://127.0.0.1:8056
work=$(mktemp -d /tmp/vexa-flows-XXXXXX)
chmod 755 "$work"
admin_key=flows$(head -c 512 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 40)
system_key=flows$(head -c 512 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 40)

echo "building the app (Release)"
dotnet build VexaService.AppHost -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null

apphost=
stop_app() {
  [ -n "$apphost" ] || return 0
  kill -TERM "$apphost" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$apphost" 2>/dev/null || break; sleep 0.5; done
  apphost=
  # Its PostgreSQL and Redis stop a moment after it.
  for i in $(seq 1 60); do
    ss -ltn | grep -qE ':(57448|57390|8056) ' || break
    [ $((i % 10)) -eq 0 ] && echo "waiting for the app's processes to stop (${i}s)"
    sleep 1
  done
}
trap 'stop_app; rm -rf "$work"' EXIT

failed=0
for generation in "${generations[@]}"; do
  echo "=== Vexa $generation: starting the app"
  (cd VexaService.AppHost && exec env \
    ASPNETCORE_URLS=http://localhost:25066 ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:29066 \
    ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:29067 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true DOTNET_ENVIRONMENT=Development \
    LocalInfra__Mode=processes LocalInfra__PostgresPort=57448 LocalInfra__RedisPort=57390 LocalInfra__DataDirectory="$work/data-$generation" \
    Parameters__admin-api-key="$admin_key" Parameters__wholesaler-api-key="$system_key" \
    Emulator__Behaviour="$generation" Emulator__BotJoinDelayMs=500 Emulator__SegmentIntervalMs=500 Emulator__StatusStepMs=500 \
    Emulator__StopDelayMs=500 Emulator__SegmentFinalizeDelayMs=0 \
    bin/Release/net10.0/VexaService.AppHost) >"$work/apphost-$generation.log" 2>&1 &
  apphost=$!
  healthy=0
  for i in $(seq 1 300); do
    [ "$(curl -s -m 2 $gateway/health || true)" = "Healthy" ] && { healthy=1; break; }
    [ $((i % 25)) -eq 0 ] && echo "waiting for the app to be healthy ($((i / 5))s)"
    sleep 0.2
  done
  if [ $healthy -eq 0 ]; then
    echo "the app did not become healthy; its log:"; tail -20 "$work/apphost-$generation.log"; failed=1; stop_app; continue
  fi
  python3 tests/clients/flow.py $gateway "$admin_key" "$generation" "$work/shapes-$generation.json" || failed=1
  stop_app
done

if [ $failed -eq 0 ] && [ -f "$work/shapes-2025-09.json" ]; then
  for generation in "${generations[@]}"; do
    [ "$generation" = 2025-09 ] && continue
    if diff <(python3 -m json.tool "$work/shapes-2025-09.json") <(python3 -m json.tool "$work/shapes-$generation.json") >"$work/diff.txt"; then
      echo "Vexa $generation: every answer has 2025-09's shape"
    else
      echo "Vexa $generation: shapes differ from 2025-09's:"; cat "$work/diff.txt"; failed=1
    fi
  done
fi
[ $failed -eq 0 ] && echo "vexa_client flows: PASSED (${generations[*]})" || { echo "vexa_client flows: FAILED"; exit 1; }
