#!/usr/bin/env python3
"""Creates the benchmark's users, keys and meetings through the gateway's real API (admin key), and captures each
scenario's response body so the floor's static backend can serve a document of exactly the same size.

    setup.py <gateway url> <admin key> <output dir> <number of auth users>
    setup.py <gateway url> <admin key> <output dir> tenants|live <number of tenants>

Writes <out>/keys/<name>.txt (one API key), <out>/auth-keys.txt (one key a line), <out>/docs/<scenario>.json and
<out>/setup.json (meeting ids, the transcript's Wholesaler meeting id). The second form, run just before scenario (7)
so that its bots do not run during the others, writes <out>/tenants.txt: one user per tenant, each with one bot in
progress, a line "<key> <live transcript path>" each; the third, before scenario (8), <out>/live.txt with a line
"<key> <native meeting id>" per tenant."""
import http.client
import json
import os
import random
import string
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

gateway, admin_key, out = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlparse(gateway)
local = threading.local()
run_tag = "".join(random.choice(string.ascii_lowercase) for _ in range(6))


def call(method, path, key=None, body=None, admin=False):
    """One request, as a well-behaved client makes it: a 503 with Retry-After (the Retailer's Wholesaler budget is
    spent for the moment) is retried after the time it names."""
    for _ in range(30):
        status, raw, retry_after = send(method, path, key, body, admin)
        if status != 503 or retry_after is None:
            return status, raw
        time.sleep(float(retry_after))
    return status, raw


def send(method, path, key, body, admin):
    """One request on this thread's keep-alive connection; returns (status, raw bytes, Retry-After)."""
    for attempt in range(3):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if admin:
            headers["X-Admin-API-Key"] = admin_key
        if key:
            headers["X-API-Key"] = key
        try:
            local.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = local.conn.getresponse()
            return response.status, response.read(), response.getheader("Retry-After")
        except (http.client.HTTPException, OSError):
            del local.conn
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def expect(status, expected, what):
    if status != expected:
        sys.exit(f"setup: {what} answered {status}, expected {expected}")


def new_user(name, max_bots=1000):
    status, raw = call("POST", "/admin/users", body={"email": f"{name}-{run_tag}@bench.example.com",
                                                     "max_concurrent_bots": max_bots}, admin=True)
    expect(status, 201, "POST /admin/users")
    user_id = json.loads(raw)["id"]
    # Named and expiring (a day), so that every request of the benchmark has its key's expiry and scope checked.
    status, raw = call("POST", f"/admin/users/{user_id}/tokens", body={"name": f"bench {name}", "expires_in": 86400}, admin=True)
    expect(status, 201, "POST /admin/users/{id}/tokens")
    return json.loads(raw)["token"]


def meet_id(n):
    """A distinct Google Meet id (abc-defg-hij) per n, namespaced by this run."""
    letters = ""
    for _ in range(4):
        n, d = divmod(n, 26)
        letters += string.ascii_lowercase[d]
    s = run_tag + letters
    return f"{s[0:3]}-{s[3:7]}-{s[7:10]}"


def start(key, native):
    status, raw = call("POST", "/bots", key, {"platform": "google_meet", "native_meeting_id": native})
    expect(status, 201, f"POST /bots {native}")
    return json.loads(raw)["id"]


def stop(key, native):
    status, _ = call("DELETE", f"/bots/google_meet/{native}", key)
    expect(status, 202, f"DELETE /bots {native}")


def wait_completed(key, native):
    for _ in range(200):
        status, raw = call("GET", f"/transcripts/google_meet/{native}", key)
        if status == 200 and json.loads(raw)["status"] == "completed":
            return raw
        time.sleep(0.1)
    sys.exit(f"setup: meeting {native} did not complete")


def save(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# (7) Tenants polling at once, and (8) tenants watching over /ws: each its own user with one bot in progress, left
# running for the scenario. (7) writes "<key> <transcript path>" lines to tenants.txt, (8) "<key> <native id>" lines
# to live.txt.
def tenant(mode, i):
    key = new_user(f"{mode}{i}", 1)
    native = meet_id((4000 if mode == "tenants" else 6000) + i)
    start(key, native)
    return f"{key} /transcripts/google_meet/{native}" if mode == "tenants" else f"{key} {native}"


if sys.argv[4] in ("tenants", "live"):
    mode, tenants = sys.argv[4], int(sys.argv[5])
    with ThreadPoolExecutor(8) as pool:
        tenant_lines = list(pool.map(lambda i: tenant(mode, i), range(tenants)))
    save(f"{out}/{mode}.txt", ("\n".join(tenant_lines) + "\n").encode())
    print(f"setup: {tenants} {mode} tenants, each with a bot in progress")
    sys.exit(0)

auth_users = int(sys.argv[4])
keys = {name: new_user(name) for name in ("transcript", "meetings", "status", "cycle")}
for name, key in keys.items():
    save(f"{out}/keys/{name}.txt", key.encode())

# (1) One completed meeting with a full transcript (the emulator caps segments, so its size is the same every run).
transcript_native = meet_id(0)
transcript_meeting = start(keys["transcript"], transcript_native)
time.sleep(float(os.environ.get("BENCH_MEETING_SECONDS", "1.5")))
stop(keys["transcript"], transcript_native)
transcript = wait_completed(keys["transcript"], transcript_native)
save(f"{out}/docs/transcript.json", transcript)

# (2) A user with 50 meetings, all finished.
with ThreadPoolExecutor(8) as pool:
    natives = [meet_id(1000 + i) for i in range(50)]
    list(pool.map(lambda n: start(keys["meetings"], n), natives))
    list(pool.map(lambda n: stop(keys["meetings"], n), natives))
    list(pool.map(lambda n: wait_completed(keys["meetings"], n), natives))
status, raw = call("GET", "/meetings", keys["meetings"])
expect(status, 200, "GET /meetings")
assert len(json.loads(raw)["meetings"]) == 50, "the meetings user must have exactly 50 meetings"
save(f"{out}/docs/meetings.json", raw)

# (3) A user with three running bots.
for i in range(3):
    start(keys["status"], meet_id(2000 + i))
status, raw = call("GET", "/bots/status", keys["status"])
expect(status, 200, "GET /bots/status")
save(f"{out}/docs/status.json", raw)

# (4) What one POST /bots answers, for the floor of the start/stop cycle.
cycle_native = meet_id(3000)
status, raw = call("POST", "/bots", keys["cycle"], {"platform": "google_meet", "native_meeting_id": cycle_native})
expect(status, 201, "POST /bots (cycle sample)")
save(f"{out}/docs/cycle.json", raw)
stop(keys["cycle"], cycle_native)

# (5) Many users, one key each.
with ThreadPoolExecutor(8) as pool:
    auth_keys = list(pool.map(lambda i: new_user(f"auth{i}", 1), range(auth_users)))
save(f"{out}/auth-keys.txt", ("\n".join(auth_keys) + "\n").encode())
status, raw = call("GET", "/meetings", auth_keys[0])
expect(status, 200, "GET /meetings (auth user)")
save(f"{out}/docs/auth.json", raw)

save(f"{out}/setup.json", json.dumps({
    "run_tag": run_tag,
    "transcript_path": f"/transcripts/google_meet/{transcript_native}",
    "transcript_meeting_id": transcript_meeting,
    "transcript_bytes": len(transcript),
}).encode())
print(f"setup: 5 scenario users, {auth_users} auth users, transcript of {len(transcript)} bytes")
