"""A user's whole flow with Vexa's own Python client (vexa_client.py, unchanged) through our gateway.

    flow.py <gateway url> <admin key> <name of the run> <shapes.json to write>

Prints a line per step; exits non-zero at the first thing that is not as Vexa's users expect."""
import contextlib
import http.server
import io
import json
import random
import string
import sys
import threading
import time
import uuid

from vexa_client import VexaClient, VexaClientError

gateway, admin_key, name, shapes_file = sys.argv[1:5]
shapes = {}


def step(message):
    print(f"[{name}] {message}", flush=True)


def quiet(call, *args, **kwargs):
    """The client prints every request and answer (keys included): kept out of our output."""
    with contextlib.redirect_stdout(io.StringIO()):
        return call(*args, **kwargs)


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def record(what, value, drop=()):
    value = {k: v for k, v in value.items() if k not in drop} if isinstance(value, dict) else value
    shapes[what] = shape(value)


def wait(what, condition, seconds=60):
    deadline = time.time() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.time() > deadline:
            raise SystemExit(f"[{name}] FAILED: {what} within {seconds}s")
        time.sleep(0.3)


def refused(status, call, *args):
    try:
        quiet(call, *args)
    except VexaClientError as e:
        if f"HTTP Error {status} " in str(e):
            return str(e)
        raise SystemExit(f"[{name}] FAILED: expected {status}, got {e}")
    raise SystemExit(f"[{name}] FAILED: expected {status}, got a success")


admin = VexaClient(base_url=gateway, admin_key=admin_key)
tag = uuid.uuid4().hex[:8]


def new_user(who):
    user = quiet(admin.create_user, f"{who}-{tag}@flows.example.com", name=who, max_concurrent_bots=2)
    token = quiet(admin.create_token, user["id"])
    return VexaClient(base_url=gateway, api_key=token["token"])


ann, bob = new_user("ann"), new_user("bob")
step("two users with a key each (admin API)")

received = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=server.serve_forever, daemon=True).start()
record("PUT /user/webhook", quiet(ann.set_webhook_url, f"http://127.0.0.1:{server.server_port}/hook/{tag}"), drop=("data",))
step("ann's webhook set")

meet = "-".join("".join(random.choice(string.ascii_lowercase) for _ in range(n)) for n in (3, 4, 3))
meeting = quiet(ann.request_bot, "google_meet", meet, bot_name="Notes", language="en")
record("POST /bots", meeting)
assert meeting["status"] == "requested", meeting["status"]
step(f"bot requested for {meet}: meeting {meeting['id']}, status requested")

seen = []


def status_now():
    mine = [m for m in quiet(ann.get_meetings) if m["id"] == meeting["id"]]
    if mine and (not seen or seen[-1] != mine[0]["status"]):
        seen.append(mine[0]["status"])
    return mine[0] if mine and mine[0]["status"] == "active" else None


record("GET /meetings (active)", wait("status active", status_now))
step(f"statuses seen: {' -> '.join(seen)}")

transcript = wait("two segments while live", lambda: (t := quiet(ann.get_transcript, "google_meet", meet)) and len(t["segments"]) >= 2 and t)
record("GET /transcripts (live)", transcript)
starts = [s["start"] for s in transcript["segments"]]
assert all(0 <= s < 1e9 for s in starts) and starts == sorted(starts), starts
step(f"transcript while live: {len(starts)} segments, offsets {starts[0]}..{starts[-1]} s")

bots = quiet(ann.get_running_bots_status)
record("GET /bots/status", {"running_bots": bots})
assert [b["meeting_id_from_name"] for b in bots] == [str(meeting["id"])], bots
step("ann's running bot listed under her meeting id")

step("bob on the same native id: " + refused(409, bob.request_bot, "google_meet", meet).split(": ", 1)[-1])
refused(404, bob.get_transcript, "google_meet", meet)
assert quiet(bob.get_running_bots_status) == []
step("bob sees neither ann's transcript (404) nor her bot")

stopped = quiet(ann.stop_bot, "google_meet", meet)
record("DELETE /bots", stopped)
assert stopped == {"message": "Stop request accepted and is being processed."}, stopped
wait("status completed", lambda: any(m["id"] == meeting["id"] and m["status"] == "completed" for m in quiet(ann.get_meetings)))
step("stopped (202), then completed")

completion = wait("the completion webhook", lambda: next((p for p in received if p.get("id") == meeting["id"] and p.get("status") == "completed"), None))
record("webhook (completion)", completion)
step("completion webhook received with our meeting id")

deleted = quiet(ann.delete_meeting, "google_meet", meet)
record("DELETE /meetings", deleted)
step(f"deleted: {deleted}")

json.dump(shapes, open(shapes_file, "w"), indent=1, sort_keys=True)
step("PASSED")
