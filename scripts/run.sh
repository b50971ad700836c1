#!/usr/bin/env bash
# Command 1 of 2: install what is missing, then run the whole app (Aspire dashboard + every service,
# with the Wholesaler emulator unless a real Wholesaler URL is configured). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet restore --verbosity quiet
exec dotnet run --project VexaService.AppHost --launch-profile http "$@"
