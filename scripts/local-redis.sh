#!/usr/bin/env bash
# Runs a Redis server in the foreground as a local process.   local-redis.sh <data-dir> <port>
# Loopback only; append-only file so cached state and rate-limit counters survive a restart.
# Memory is bounded (REDIS_MAXMEMORY, default 256mb): when full, the least recently used keys go first, which are cold
# cached transcripts, not the rate-limit counters and key lookups that every request touches.
set -euo pipefail
data="$1"; port="$2"
command -v redis-server >/dev/null || { echo "Redis is not installed: run scripts/install-deps.sh" >&2; exit 1; }
mkdir -p "$data"
exec redis-server --port "$port" --bind 127.0.0.1 --dir "$data" --appendonly yes --save "" \
  --daemonize no --protected-mode yes --logfile "" \
  --maxmemory "${REDIS_MAXMEMORY:-256mb}" --maxmemory-policy allkeys-lru
