#!/usr/bin/env bash
# Issue 31's budget check, per Vexa we resell: for each generation, the whole app with the emulator playing it (its own
# rate limits on), 200 tenants each with a bot in progress polling GET /bots/status and GET /meetings for 30 s. Prints
# one line per generation: answers and non-2xx, Wholesaler calls per second against its budget, the Wholesaler's 429s.
#   BENCH_TENANTS=200 BENCH_TENANTS_SECONDS=30 scripts/bench-generations.sh [generation...]
set -euo pipefail
cd "$(dirname "$0")/.."
generations=("$@")
[ ${#generations[@]} -gt 0 ] || generations=(2025-09 0.12 1.5)
summary=$(mktemp)
for generation in "${generations[@]}"; do
  # The previous run's PostgreSQL and Redis stop a little after its AppHost: wait for their ports (and the app's).
  for i in $(seq 1 120); do
    ss -ltn | grep -qE ':(57438|57380|8056|5190) ' || break
    [ $((i % 10)) -eq 0 ] && echo "waiting for the previous run's processes to stop (${i}s)"
    sleep 1
  done
  echo "=== Vexa $generation"
  BENCH_ONLY=tenants BENCH_GENERATION="$generation" bash scripts/bench.sh | tee /dev/stderr | grep '^GENERATION ' >>"$summary" || {
    echo "GENERATION $generation: the run failed" >>"$summary"; }
done
echo
cat "$summary"
rm -f "$summary"
