#!/usr/bin/env bash
# Runs a PostgreSQL server in the foreground for the AppHost (or the test script) as a local process.
#   local-postgres.sh <data-dir> <port>
# First start: initdb + database "vexa". Later starts reuse the data. Listens on 127.0.0.1 only, trust auth:
# a developer's or CI's throw-away cluster. PostgreSQL refuses to run as root, so as root it runs as the
# "postgres" OS user (setpriv execs in place, so the AppHost's stop signal reaches the server itself).
set -euo pipefail
data="$1"; port="$2"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: run scripts/install-deps.sh" >&2; exit 1; }

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  # The postgres user must reach the folder; a checkout under /root is not reachable, so fall back.
  mkdir -p "$data"
  chown postgres:postgres "$data"
  if ! "${as_pg[@]}" test -w "$data"; then
    fallback="/var/tmp/vexa-service-$(echo -n "$data" | sha1sum | cut -c1-12)/postgres"
    echo "note: user postgres cannot reach $data; keeping PostgreSQL data in $fallback" >&2
    data="$fallback"
    mkdir -p "$data"
    chown postgres:postgres "$data" "$(dirname "$data")"
  fi
fi
mkdir -p "$data"
chmod 700 "$data"

if [ ! -s "$data/PG_VERSION" ]; then
  "${as_pg[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  echo "CREATE DATABASE vexa;" | "${as_pg[@]}" "$bin/postgres" --single -D "$data" postgres >/dev/null
fi

exec "${as_pg[@]}" "$bin/postgres" -D "$data" -p "$port" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
  -c max_connections=300 -c fsync=on -c logging_collector=off
