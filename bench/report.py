#!/usr/bin/env python3
"""Turns a bench run folder (runs.jsonl, proc-*.json, emulator-*.json, setup.json) into the Markdown report.
A scenario or file missing from the folder (a BENCH_ONLY run, a run that stopped early) shows as n/a.

    report.py <run folder> <cold start seconds>"""
import json
import os
import statistics
import sys

import live

folder, cold_start = sys.argv[1], float(sys.argv[2])


def load(name):
    """A JSON file of the run folder, or None when it is missing or unreadable."""
    try:
        with open(f"{folder}/{name}") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def text(name):
    try:
        with open(f"{folder}/{name}") as f:
            return f.read().strip()
    except OSError:
        return None


try:
    with open(f"{folder}/runs.jsonl") as f:
        runs = [json.loads(line) for line in f if line.strip()]
except OSError:
    runs = []
setup = load("setup.json") or {}
SCENARIOS = [
    ("transcript", "(1) GET /transcripts/{p}/{id}, completed"),
    ("meetings", "(2) GET /meetings, 50 meetings"),
    ("status", "(3) GET /bots/status"),
    ("cycle", "(4) POST /bots + DELETE /bots"),
    ("auth", "(5) auth, 10,000 users' keys"),
    ("soak", "(6) soak, 60 s, mixed reads"),
    ("tenants", "(7) tenants, each polling status, meetings, its live transcript"),
]
SERVICES = ["Gateway", "Transcripts", "BotManager", "AdminApi", "WholesalerEmulator"]
MEASURED = ("1", "2", "3", "soak")  # the repetitions the medians and the CPU table are taken over (not the warm-up)
REDIS_PORT = "57380"  # scripts/bench.sh's redis_port: another redis-server on the machine is "other"


def measured(scenario, target):
    return [r for r in runs if r.get("scenario") == scenario and r.get("target") == target and r.get("rep") in MEASURED]


def median(scenario, target, field):
    values = [r[field] for r in measured(scenario, target) if r.get(field) is not None]
    return statistics.median(values) if values else None


def total(scenario, target, field):
    return sum(r.get(field) or 0 for r in runs if r.get("scenario") == scenario and r.get("target") == target)


def ran(scenario, target="retailer"):
    return any(r.get("scenario") == scenario and r.get("target") == target for r in runs)


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


out = []
w = out.append
w(f"# Benchmark {folder.rstrip('/').split('/')[-1]}\n")
w("wrk -t2 -c32, a warm-up, then 3 repetitions interleaved with the floor (medians); the soak runs once. "
  "Floor = bench/FloorProxy (bare YARP) → bench/StaticBackend serving a document of the scenario's response size. "
  "Non-2xx counts every run of the scenario, warm-up included.\n")
transcript_bytes = setup.get("transcript_bytes")
w(f"Cold start (AppHost launch → every resource healthy): **{cold_start:.1f} s**. "
  f"Transcript under test: {f'{transcript_bytes:,} bytes' if transcript_bytes is not None else 'n/a'}. Trace sampling: "
  f"{os.environ.get('BENCH_TRACE_SAMPLING') or '1'} (1 = every request traced, as scripts/run.sh). "
  f"DCP service proxies: {os.environ.get('BENCH_SERVICE_PROXIES') or 'true'}.\n")
w("| Scenario | RPS | p50 ms | p99 ms | non-2xx | floor RPS | floor p99 ms | RPS ratio | p99 ratio | Wholesaler calls/s |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
rows = {}
for key, title in SCENARIOS:
    rps, p50, p99 = (median(key, "retailer", f) for f in ("rps", "p50_ms", "p99_ms"))
    frps, fp99 = median(key, "floor", "rps"), median(key, "floor", "p99_ms")
    non2xx = total(key, "retailer", "non2xx") + total(key, "retailer", "socket_errors") if ran(key) else None
    rows[key] = (rps, p99, frps, fp99, non2xx)
    w(f"| {title} | {fmt(rps, 0)} | {fmt(p50, 2)} | {fmt(p99, 2)} | {fmt(non2xx, 0)} | {fmt(frps, 0)} | {fmt(fp99, 2)} "
      f"| {fmt(ratio(rps, frps), 2)} | {fmt(ratio(p99, fp99), 2)} "
      f"| {fmt(median(key, 'retailer', 'wholesaler_calls_per_s'), 1)} |")

# Wholesaler calls for the completed transcript during scenario (1), from a cold cache.
calls = all_calls = wholesaler_id = None
stats_before, stats_after = load("emulator-stats-before.json"), load("emulator-stats-after.json")
meetings = (load("emulator-meetings.json") or {}).get("meetings")
if stats_before and stats_after and meetings and setup.get("transcript_path"):
    before, after = stats_before.get("transcript_requests", {}), stats_after.get("transcript_requests", {})
    native = setup["transcript_path"].rsplit("/", 1)[-1]
    wholesaler_id = next((str(m["id"]) for m in meetings if m.get("native_meeting_id") == native), None)
    if wholesaler_id is not None:
        calls = after.get(wholesaler_id, 0) - before.get(wholesaler_id, 0)
        all_calls = sum(after.values()) - sum(before.values())

# RSS over the soak: the services, and PostgreSQL/Redis (shown, not judged; PostgreSQL's is the sum of its processes,
# shared buffers counted in each).
idle, before_soak, soaked = load("proc-idle.json"), load("proc-before-soak.json"), load("proc-after-soak.json")
RSS_ROWS = [(s, lambda n, s=s: n == f"VexaService.{s}", True) for s in SERVICES] + [
    ("PostgreSQL (sum of its processes, not judged)", lambda n: n == "postgres" or n.startswith("postgres:"), False),
    ("Redis (not judged)", lambda n: n.startswith("redis-server") and n.endswith(f":{REDIS_PORT}"), False),
]


def rss(snapshot, match):
    if snapshot is None:
        return None
    kb = [v[2] for v in snapshot.values() if match(v[0])]
    return sum(kb) if kb else None


def mib(kb):
    return "n/a" if kb is None else f"{kb / 1024:,.0f}"


w("\n| Process | RSS idle MiB | RSS before soak MiB | RSS after soak MiB | growth over the soak |")
w("|---|---:|---:|---:|---:|")
growths = {}  # service → % (judged services only)
for name, match, judged in RSS_ROWS:
    i, a, b = rss(idle, match), rss(before_soak, match), rss(soaked, match)
    growth = (b - a) / a * 100 if a and b is not None else None
    if judged:
        growths[name] = growth
    w(f"| {name} | {mib(i)} | {mib(a)} | {mib(b)} | "
      f"{'n/a' if growth is None else f'{growth:+.1f} %'} |")

# Where the CPU went: each scenario's share of the CPU ticks (10 ms) of every process during the Retailer's measured
# repetitions (1-3; the soak's one run), by process.
CPU_GROUPS = [
    ("gateway", lambda n: n == "VexaService.Gateway"),
    ("Transcripts", lambda n: n == "VexaService.Transcripts"),
    ("BotManager", lambda n: n == "VexaService.BotManager"),
    ("AdminApi", lambda n: n == "VexaService.AdminApi"),
    ("WholesalerEmulator (the Wholesaler)", lambda n: n == "VexaService.WholesalerEmulator"),
    ("PostgreSQL", lambda n: n == "postgres" or n.startswith("postgres:")),
    ("Redis", lambda n: n.startswith("redis-server") and n.endswith(f":{REDIS_PORT}")),
    ("wrk", lambda n: n == "wrk"),
    ("dcp/dashboard/AppHost", lambda n: n in ("dcp", "Aspire.Dashboard", "VexaService.AppHost")),
]


def group(name):
    return next((g for g, match in CPU_GROUPS if match(name)), "other")


cpu_columns = []  # (header, {group: ticks}, total ticks, requests, seconds) or (header, None, ...) when not run
other_names = {}
for key, title in SCENARIOS:
    reps = [r for r in measured(key, "retailer") if r.get("cpu_ticks")]
    header = title.split(",")[0].split(" ", 1)[0] + " " + key
    if not reps:
        cpu_columns.append((header, None, 0, 0, 0))
        continue
    ticks = {}
    for r in reps:
        for name, t in (r.get("cpu_ticks") or {}).items():
            g = group(name)
            ticks[g] = ticks.get(g, 0) + t
            if g == "other":
                other_names[name] = other_names.get(name, 0) + t
    cpu_columns.append((header, ticks, sum(ticks.values()), sum(r.get("requests") or 0 for r in reps),
                        sum(r.get("seconds") or 0 for r in reps)))

w("\nWhere the CPU went: each process's share of all CPU time on the machine during the Retailer's measured runs "
  "(repetitions 1-3; the soak's one run; from `cpu_ticks`), the largest in bold.\n")
w("| Process | " + " | ".join(c[0] for c in cpu_columns) + " |")
w("|---|" + "---:|" * len(cpu_columns))
wrk_seen = any(c[1] and c[1].get("wrk") for c in cpu_columns)
for g in [g for g, _ in CPU_GROUPS] + ["other"]:
    cells = []
    for _, ticks, all_ticks, _, _ in cpu_columns:
        if ticks is None or not all_ticks:
            cells.append("n/a")
        elif g == "wrk" and not wrk_seen:
            cells.append("n/c")
        else:
            share = ticks.get(g, 0) / all_ticks * 100
            cell = f"{share:.1f} %"
            cells.append(f"**{cell}**" if ticks.get(g, 0) and ticks.get(g, 0) == max(ticks.values()) else cell)
    w(f"| {g} | " + " | ".join(cells) + " |")
w("| *all processes: cores busy (of 2)* | " + " | ".join(
    "n/a" if t is None or not s else f"{a / 100 / s:.2f}" for _, t, a, _, s in cpu_columns) + " |")
w("| *all processes: CPU µs per request* | " + " | ".join(
    "n/a" if t is None or not n else f"{a * 10_000 / n:,.0f}" for _, t, a, n, _ in cpu_columns) + " |")
notes = []
if not wrk_seen:
    notes.append("wrk n/c: wrk has exited when a run's second process snapshot is taken, so its CPU is not in `cpu_ticks`")
if other_names:
    all_other = sum(other_names.values())
    notes.append("other, over all columns: " + ", ".join(
        f"{name} {t / all_other * 100:.0f} %" for name, t in sorted(other_names.items(), key=lambda kv: -kv[1])[:5]))
if notes:
    w("\n" + "; ".join(notes) + ".")

floor_cpu = {}
floor_reps = measured("transcript", "floor")
floor_requests = sum(r.get("requests") or 0 for r in floor_reps)
for r in floor_reps:
    for name, t in (r.get("cpu_ticks") or {}).items():
        floor_cpu[name] = floor_cpu.get(name, 0) + t
if floor_cpu:
    w("Floor during scenario (1)'s repetitions, µs per request: " + ", ".join(
        f"{name} {t * 10_000 / max(floor_requests, 1):.0f}" for name, t in sorted(floor_cpu.items(), key=lambda kv: -kv[1])[:5]) + ".")
w("")

# The Wholesaler's whole meeting list grows with every meeting ever held; the Retailer should rarely need it.
end_stats, start_stats = load("emulator-stats-end.json"), load("emulator-stats-start.json")
if end_stats and start_stats:
    listings = end_stats.get("meeting_listings", 0) - start_stats.get("meeting_listings", 0)
    w(f"Wholesaler `GET /meetings` calls from the end of scenario (1) to the end of the soak: {listings} "
      f"(the Wholesaler then held {text('emulator-meeting-count.txt') or 'n/a'} meetings).\n")

# (7) The Wholesaler's view of the tenants scenario: everything it received (all services, follower included) and
# every 429 its rate limit gave, against the Retailer's default budget (Wholesaler:BudgetPerSecond 20, burst 60).
tenants_run = next((r for r in runs if r.get("scenario") == "tenants" and r.get("target") == "retailer"), None)
budget_per_second, budget_burst = 20, 60
tenant_calls = tenant_allowed = None
t_before, t_after = load("emulator-stats-tenants-before.json"), load("emulator-stats-tenants-after.json")
started, ended = text("tenants-started.txt"), text("tenants-ended.txt")
if tenants_run and t_before and t_after and started and ended:
    tenant_calls = t_after["requests_total"] - t_before["requests_total"]
    # The calls were counted between two snapshots, a little wider than wrk's run: the budget is for that interval.
    counted = float(ended) - float(started)
    tenant_allowed = budget_per_second * counted + budget_burst
    w(f"Scenario (7): {tenants_run.get('requests', 0):,} requests from the tenants in {tenants_run.get('seconds', 0):.0f} s, "
      f"{tenants_run.get('non2xx', 0):,} of them answered non-2xx (503 Busy when a live transcript needs the Wholesaler and "
      f"the budget is spent and there is no earlier copy); the Wholesaler received {tenant_calls:,} calls in the "
      f"{counted:.1f} s between the counts ({tenant_calls / counted:.1f}/s; the budget allows {tenant_allowed:,.0f}).\n")
last_stats = t_after if tenants_run and t_after else end_stats
rate_limited = (last_stats.get("rate_limited", 0) - stats_before.get("rate_limited", 0)
                if last_stats and stats_before else None)

# (8) Live transcripts over /ws: the same sockets and meetings through the gateway and straight at the emulator.
live_summary = live.summary(folder)
live_retailer = live_floor = live_added_p99 = None
live_runs = []
if live_summary:
    lines, live_retailer, live_floor, live_added_p99, live_runs = live_summary
    for line in lines:
        w(line)


def against_floor(key, label, rps_at_least, p99_at_most):
    """Issue 34's targets of a scenario against its floor (medians of the measured repetitions)."""
    rps, p99, frps, fp99, _ = rows[key]
    r, p = ratio(rps, frps), ratio(p99, fp99)
    return [
        (f"{label}: RPS ≥ {rps_at_least}× floor", None if r is None else r >= rps_at_least,
         "n/a" if r is None else f"{r:.2f}× ({rps:,.0f} against {frps:,.0f} RPS)"),
        (f"{label}: p99 ≤ {p99_at_most}× floor", None if p is None else p <= p99_at_most,
         "n/a" if p is None else f"{p:.2f}× ({p99:,.2f} against {fp99:,.2f} ms)"),
    ]


valid = [rows[k][4] for k in ("transcript", "meetings", "status", "auth") if rows[k][4] is not None]
tenants_failed = rows["tenants"][4]
judged_growths = {s: g for s, g in growths.items() if g is not None}
checks = [
    # Issue 34, reads at the edge.
    *against_floor("transcript", "(1) transcript", 1.3, 1.1),
    *against_floor("meetings", "(2) meetings", 0.5, 2),
    *against_floor("status", "(3) status", 0.5, 2),
    *against_floor("soak", "(6) soak", 0.3, 3),
    ("(7) tenants: 0 non-2xx", None if tenants_run is None else tenants_failed == 0,
     f"{tenants_run.get('non2xx', 0):,} non-2xx, {tenants_run.get('socket_errors', 0):,} socket errors in "
     f"{tenants_run.get('requests', 0):,} requests" if tenants_run else "not run"),
    ("RSS growth over the soak ≤ 5 % for every service",
     # One service over 5 % fails it; otherwise a service not measured leaves it open.
     False if any(g > 5 for g in judged_growths.values()) else None if len(judged_growths) < len(SERVICES) else True,
     ", ".join(f"{s} {'n/a' if g is None else f'{g:+.1f} %'}" for s, g in growths.items())),
    # Earlier issues.
    # At most one: since our own transcript store (issue 32), a completed transcript stored before scenario (1) costs none.
    ("at most one Wholesaler call per completed transcript", None if calls is None else calls <= 1,
     f"{calls} call(s) for meeting {wholesaler_id} during scenario (1) from a cold cache ({all_calls} transcript calls in all)"
     if calls is not None else "n/a"),
    ("zero failed valid authentications (non-2xx in 1/2/3/5)", None if not valid else sum(valid) == 0,
     f"{sum(valid)}" if valid else "n/a"),
    ("(7) Wholesaler calls within the budget", None if tenant_calls is None else tenant_calls <= tenant_allowed,
     f"{tenant_calls:,} calls, {tenant_allowed:,.0f} allowed" if tenant_calls is not None else "not run"),
    ("no 429 from the Wholesaler (rate limit on, from scenario (1) on)", None if rate_limited is None else rate_limited == 0,
     "n/a" if rate_limited is None else f"{rate_limited}"),
    ("(8) /ws p99 ≤ floor + 10 ms", None if live_added_p99 is None else live_added_p99 <= 10,
     f"{live_added_p99:+.1f} ms" if live_added_p99 is not None else "not run"),
    ("(8) /ws ≤ 50 KB per idle socket", None if live_retailer is None else live_retailer["rss_kb_per_idle_socket"] <= 50,
     f"{live_retailer['rss_kb_per_idle_socket']} kB" if live_retailer else "not run"),
    ("(8) no frame to a socket of another tenant", None if not live_runs else all(
        r["wrong_meeting_frames"] == 0 and r["subscribed"] == r["sockets"] for r in live_runs),
     f"{sum(r['wrong_meeting_frames'] for r in live_runs)} of {sum(r['frames'] for r in live_runs):,} frames in "
     f"{len(live_runs)} run(s); at least {min(r['subscribed'] for r in live_runs)} of {live_runs[0]['sockets']} sockets "
     f"subscribed in each" if live_runs else "not run"),
]
w("| Target | Result | Measured |")
w("|---|---|---|")
for name, holds, value in checks:
    w(f"| {name} | {'n/a' if holds is None else 'PASS' if holds else '**FAIL**'} | {value} |")
print("\n".join(out))
