#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) N times in a row (default 10) and reports every test that failed at least
# once, with how often. Usage: scripts/flake-hunt.sh [N] [extra dotnet test arguments...]
# Each run's log is kept in the printed folder; the last line says how many runs were green.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}; shift || true
logs=$(mktemp -d /tmp/vexa-flake-hunt-XXXXXX)
echo "flake hunt: $runs full runs of scripts/test.sh; logs in $logs"
green=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  bash scripts/test.sh "$@" >"$logs/run-$i.log" 2>&1
  code=$?
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/run-$i.log" | tail -n 1)
  [ "$code" -eq 0 ] && green=$((green + 1))
  echo "run $i/$runs: exit $code, ${summary:-no summary line}, $(( $(date +%s) - started )) s"
  grep -E '^\s*failed [A-Za-z_]' "$logs/run-$i.log" | sed -E 's/^\s*failed ([^ (]+).*/\1/' | sort -u >"$logs/failed-$i.txt"
  sed 's/^/    failed: /' "$logs/failed-$i.txt"
done
echo
echo "tests that failed at least once:"
cat "$logs"/failed-*.txt 2>/dev/null | sort | uniq -c | sort -rn | sed 's/^/  /'
if ! cat "$logs"/failed-*.txt 2>/dev/null | grep -q .; then echo "  none"; fi
echo "$green of $runs runs green"
[ "$green" -eq "$runs" ]
