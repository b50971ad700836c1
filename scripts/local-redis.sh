#!/usr/bin/env bash
# Runs a Redis server in the foreground as a local process.   local-redis.sh <data-dir> <port>
# Loopback only; append-only file so cached state and rate-limit counters survive a restart.
set -euo pipefail
data="$1"; port="$2"
command -v redis-server >/dev/null || { echo "Redis is not installed: run scripts/install-deps.sh" >&2; exit 1; }
mkdir -p "$data"
exec redis-server --port "$port" --bind 127.0.0.1 --dir "$data" --appendonly yes --save "" \
  --daemonize no --protected-mode yes --logfile ""
