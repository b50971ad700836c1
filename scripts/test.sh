#!/usr/bin/env bash
# Command 2 of 2: install what is missing, start PostgreSQL and Redis for the integration tests (the end-to-end
# tests start their own through the AppHost), check that aspire-manifest.json is current, run every test,
# stop what it started, and end with the line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

run_dir=$(mktemp -d /tmp/vexa-tests-XXXXXX)
chmod 755 "$run_dir" # the postgres OS user must reach its data folder inside
pg_port=${VEXA_TEST_POSTGRES_PORT:-55432}
redis_port=${VEXA_TEST_REDIS_PORT:-56379}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$run_dir"
}
trap cleanup EXIT

bash scripts/local-postgres.sh "$run_dir/postgres" "$pg_port" >"$run_dir/postgres.log" 2>&1 & pids+=($!)
bash scripts/local-redis.sh "$run_dir/redis" "$redis_port" >"$run_dir/redis.log" 2>&1 & pids+=($!)

pg_isready=$(ls /usr/lib/postgresql/*/bin/pg_isready | sort -V | tail -n 1)
for _ in $(seq 1 120); do
  "$pg_isready" -q -h 127.0.0.1 -p "$pg_port" && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.5
done
if ! "$pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
  cat "$run_dir/postgres.log"; echo "0 passed, 1 failed"; exit 1
fi
export VEXA_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Database=vexa;Username=postgres"
export VEXA_TEST_REDIS="127.0.0.1:$redis_port"

if ! dotnet build VexaService.sln --nologo -v quiet -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"; exit 1
fi

# The committed manifest must be what the AppHost generates now.
manifest_failed=0
if ! dotnet run --project VexaService.AppHost --no-build -- --publisher manifest --output-path ../aspire-manifest.json >"$run_dir/manifest.log" 2>&1; then
  cat "$run_dir/manifest.log"; manifest_failed=1
elif git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- aspire-manifest.json; then
  echo "aspire-manifest.json is stale: the AppHost generated a different one (see git diff) - commit it."
  git --no-pager diff --stat -- aspire-manifest.json
  manifest_failed=1
else
  echo "aspire-manifest.json is current."
fi

# One test project at a time: the end-to-end tests start the whole app, and on 2 cores that would share the CPU with
# the integration tests' stopwatches (their latency bounds are part of what they assert).
dotnet test --solution VexaService.sln --no-build --max-parallel-test-modules 1 "$@" 2>&1 | tee "$run_dir/test.log"
test_exit=${PIPESTATUS[0]}

# CI keeps only the end of this output: name each failed test there, with the first lines of its message.
if grep -qE "^failed " "$run_dir/test.log"; then
  echo "Failed tests:"
  awk '/^failed /{n=4; print; next} n>0 && !/^[[:space:]]+(at |---)/{print; n--}' "$run_dir/test.log" | cut -c1-300
fi

count() { grep -E "^\s+$1: [0-9]+" "$run_dir/test.log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }
passed=$(count succeeded); failed=$(count failed); skipped=$(count skipped)
failed=$((failed + manifest_failed))
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
