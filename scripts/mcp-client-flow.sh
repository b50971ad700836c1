#!/usr/bin/env bash
# The MCP flow with a non-.NET client (issue 33): the official TypeScript SDK (tests/clients/mcp) against /mcp of a
# running app (scripts/run.sh), as two users it creates through the admin API. Prints the tool list, each step, the
# latency of list_meetings against GET /meetings, and "MCP flow passed".
#   scripts/mcp-client-flow.sh <admin key> [gateway url, default http://localhost:8056]
set -euo pipefail
cd "$(dirname "$0")/.."
admin_key=${1:?usage: scripts/mcp-client-flow.sh <admin key> [gateway url]}
gateway=${2:-http://localhost:8056}
echo "installing the client (npm, tests/clients/mcp)"
(cd tests/clients/mcp && npm install --no-audit --no-fund --silent)
new_key() {
  local id
  id=$(curl -sf -X POST "$gateway/admin/users" -H "X-Admin-API-Key: $admin_key" -H 'Content-Type: application/json' \
    -d "{\"email\":\"mcp-$1-$RANDOM$RANDOM@example.com\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  curl -sf -X POST "$gateway/admin/users/$id/tokens" -H "X-Admin-API-Key: $admin_key" \
    | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'
}
echo "creating users A and B"
key_a=$(new_key a) key_b=$(new_key b)
echo "running the flow"
node tests/clients/mcp/flow.mjs "$gateway" "$key_a" "$key_b"
