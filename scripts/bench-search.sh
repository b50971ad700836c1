#!/usr/bin/env bash
# Issue 32's search scenario: GET /transcripts/search's query over a million segments. Starts its own PostgreSQL,
# applies our migrations (the DbMigrator), writes BENCH_USERS users x 10 meetings x (BENCH_SEGMENTS / meetings) segments
# of 12 words from a vocabulary of 400 (word1..word400, each segment a different mix), then runs the query for a random
# user and word with pgbench (4 clients, BENCH_SECONDS) and prints the latency percentiles.
#   BENCH_SEGMENTS=1000000 BENCH_USERS=2000 BENCH_SECONDS=20 scripts/bench-search.sh
set -euo pipefail
cd "$(dirname "$0")/.."
segments=${BENCH_SEGMENTS:-1000000} users=${BENCH_USERS:-2000} seconds=${BENCH_SECONDS:-20}
port=57458
work=$(mktemp -d /tmp/vexa-search-XXXXXX); chmod 755 "$work"
echo "starting PostgreSQL on $port"
bash scripts/local-postgres.sh "$work/pg" $port >"$work/pg.log" 2>&1 &
pg=$!
trap 'pkill -INT -f "postgres -D $work/pg" || true; wait $pg 2>/dev/null || true; rm -rf "$work"' EXIT
for i in $(seq 1 60); do pg_isready -h 127.0.0.1 -p $port -q && break; sleep 1; done
psql() { command psql -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'vexa'" | grep -q 1 || psql -d postgres -c "CREATE DATABASE vexa"
echo "applying the migrations"
ConnectionStrings__vexadb="Host=127.0.0.1;Port=$port;Database=vexa;Username=postgres" \
  dotnet run --project services/DbMigrator --no-launch-profile >"$work/migrator.log" 2>&1
meetings=$((users * 10)); per=$((segments / meetings))
echo "writing $users users, $meetings meetings, $((meetings * per)) segments"
start=$(date +%s)
psql -d vexa <<SQL
INSERT INTO users (email, max_concurrent_bots, data) SELECT 'u' || g || '@search.example', 1, '{}' FROM generate_series(1, $users) g;
INSERT INTO meetings (user_id, platform, native_meeting_id, status, data, created_at, updated_at)
  SELECT u.id, 'google_meet', 'm' || u.id || '-' || k, 'completed', '{}', now(), now()
  FROM users u, generate_series(1, 10) k;
INSERT INTO transcript_segments (meeting_id, segment_key, start, text, speaker, json, updated_at)
  SELECT m.id, to_char(k * 3.0, 'FM999999990.000'), k * 3.0, t.text, 'Speaker', json_build_object('start', k * 3.0, 'text', t.text)::text, now()
  FROM meetings m, generate_series(1, $per) k,
       LATERAL (SELECT string_agg('word' || (1 + floor(random() * 400))::int, ' ') AS text
                FROM generate_series(1, 12) w WHERE m.id > 0 AND k > 0) t; -- correlated: a new mix per segment
ANALYZE;
SQL
echo "written in $(( $(date +%s) - start )) s; $(psql -d vexa -tAc 'SELECT count(*) FROM transcript_segments') segments"
echo "searching for ${seconds}s (pgbench, 4 clients)"
command pgbench -h 127.0.0.1 -p $port -U postgres -n -c 4 -j 2 -T "$seconds" -D users=$users -f bench/search/search.sql \
  -l --log-prefix="$work/log" vexa >"$work/pgbench.txt" 2>&1 || { cat "$work/pgbench.txt"; exit 1; }
grep -E "number of transactions actually processed|latency average|tps" "$work/pgbench.txt"
cat "$work"/log* | python3 -c '
import sys, statistics
lat = sorted(int(line.split()[2]) / 1000 for line in sys.stdin)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"SEARCH_JSON {{\"queries\": {len(lat)}, \"p50_ms\": {q(0.5):.2f}, \"p90_ms\": {q(0.9):.2f}, \"p99_ms\": {q(0.99):.2f}, \"max_ms\": {lat[-1]:.2f}}}")'
