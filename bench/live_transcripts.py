#!/usr/bin/env python3
"""Scenario (7t), issue 32: every tenant polls the transcript of its own live meeting twice a second through the
gateway, and each answer is checked against the Wholesaler's clock: how far behind the Wholesaler the newest segment
shown is.

    live_transcripts.py <gateway url> <tenants file> <seconds> <segment interval ms>

<tenants file> has "<key> <transcript path>" lines (setup.py ... tenants). The emulator's segment k of a meeting becomes
visible at session start + (k + 1) x interval, and its absolute_start_time is session start + k x interval (+ up to a
tenth of an interval of jitter): so an answer whose newest segment is k is behind by
now - (absolute_start(k) + 2 x interval - jitter) when segment k + 1 was already out, and by nothing otherwise. The
emulator runs on this machine's clock. Prints one TRANSCRIPTS_JSON line: answers by status, and the lag's median,
p99 and max in seconds."""
import http.client
import json
import sys
import threading
import time
import urllib.parse
from datetime import datetime

gateway, tenants_file, seconds, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) / 1000
host = urllib.parse.urlparse(gateway)
tenants = [line.split() for line in open(tenants_file) if line.strip()]
threads = 16
statuses, lags, empty = {}, [], [0]
lock = threading.Lock()


def epoch(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def poll(mine):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    # Each tenant twice a second: this thread's tenants in turn, each turn spaced to keep that rate.
    period = 0.5 / max(1, len(mine))
    deadline = time.time() + seconds
    next_at = time.time()
    i = 0
    while time.time() < deadline:
        key, path = mine[i % len(mine)]
        i += 1
        try:
            conn.request("GET", path, headers={"X-API-Key": key})
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except (http.client.HTTPException, OSError):
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
            status, body = "socket error", b""
        now = time.time()
        lag = None
        if status == 200:
            segments = json.loads(body)["segments"]
            if segments:
                newest = max(epoch(s["absolute_start_time"]) for s in segments)
                lag = max(0.0, now - (newest + 1.9 * interval))
        with lock:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if lag is not None:
                lags.append(lag)
            elif status == 200:
                empty[0] += 1
        next_at += period
        time.sleep(max(0.0, next_at - time.time()))


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else None


shares = [tenants[t::threads] for t in range(threads)]
workers = [threading.Thread(target=poll, args=(share,)) for share in shares if share]
started = time.time()
for worker in workers:
    worker.start()
while any(worker.is_alive() for worker in workers):
    time.sleep(5)
    with lock:
        print(f"  polling: {sum(statuses.values())} answers after {time.time() - started:.0f} s", file=sys.stderr, flush=True)
for worker in workers:
    worker.join()
print("TRANSCRIPTS_JSON " + json.dumps({
    "tenants": len(tenants), "seconds": seconds, "answers": statuses, "without_segments": empty[0],
    "lag_p50_s": quantile(lags, 0.5), "lag_p99_s": quantile(lags, 0.99), "lag_max_s": max(lags) if lags else None,
}))
