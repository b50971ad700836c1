#!/usr/bin/env bash
# Installs what the app and its tests need on a Debian machine: PostgreSQL and Redis server binaries
# (run as local processes; no container runtime needed), and with --tests the browser the /docs page is tested in
# (Debian's chromium, driven by Playwright). Idempotent and quiet when all is present.
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }
have_redis() { command -v redis-server >/dev/null; }

missing=()
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]} from Debian's packages..."
  $sudo apt-get update -qq
  # The packages try to start system-wide services; we never use those (our servers run on other ports).
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }
