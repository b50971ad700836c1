#!/usr/bin/env python3
"""Turns a bench run folder (runs.jsonl, proc-*.json, emulator-*.json, setup.json) into the Markdown report.

    report.py <run folder> <cold start seconds>"""
import json
import os
import statistics
import sys

import live

folder, cold_start = sys.argv[1], float(sys.argv[2])
runs = [json.loads(line) for line in open(f"{folder}/runs.jsonl")]
setup = json.load(open(f"{folder}/setup.json"))
SCENARIOS = [
    ("transcript", "(1) GET /transcripts/{p}/{id}, completed"),
    ("meetings", "(2) GET /meetings, 50 meetings"),
    ("status", "(3) GET /bots/status"),
    ("cycle", "(4) POST /bots + DELETE /bots"),
    ("auth", "(5) auth, 10,000 users' keys"),
    ("soak", "(6) soak, 60 s, mixed reads"),
    ("tenants", "(7) tenants, each polling status, meetings, its live transcript"),
]
SERVICES = ["Gateway", "AdminApi", "BotManager", "Transcripts", "WholesalerEmulator"]


def median(scenario, target, field):
    values = [r[field] for r in runs if r["scenario"] == scenario and r["target"] == target
              and r["rep"] in ("1", "2", "3", "soak") and field in r]
    return statistics.median(values) if values else None


def total(scenario, target, field):
    return sum(r.get(field, 0) for r in runs if r["scenario"] == scenario and r["target"] == target)


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


out = []
w = out.append
w(f"# Benchmark {folder.rstrip('/').split('/')[-1]}\n")
w("wrk -t2 -c32, a warm-up, then 3 repetitions interleaved with the floor (medians); the soak runs once. "
  "Floor = bench/FloorProxy (bare YARP) → bench/StaticBackend serving a document of the scenario's response size. "
  "Non-2xx counts every run of the scenario, warm-up included.\n")
w(f"Cold start (AppHost launch → every resource healthy): **{cold_start:.1f} s**. "
  f"Transcript under test: {setup['transcript_bytes']:,} bytes. Trace sampling: "
  f"{os.environ.get('BENCH_TRACE_SAMPLING') or '1'} (1 = every request traced, as scripts/run.sh). "
  f"DCP service proxies: {os.environ.get('BENCH_SERVICE_PROXIES') or 'true'}.\n")
w("| Scenario | RPS | p50 ms | p99 ms | non-2xx | floor RPS | floor p99 ms | RPS ratio | p99 ratio | Wholesaler calls/s |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
rows = {}
for key, title in SCENARIOS:
    rps, p50, p99 = (median(key, "retailer", f) for f in ("rps", "p50_ms", "p99_ms"))
    frps, fp99 = median(key, "floor", "rps"), median(key, "floor", "p99_ms")
    non2xx = total(key, "retailer", "non2xx") + total(key, "retailer", "socket_errors")
    rows[key] = (rps, p99, frps, fp99, non2xx)
    w(f"| {title} | {fmt(rps, 0)} | {fmt(p50, 2)} | {fmt(p99, 2)} | {non2xx} | {fmt(frps, 0)} | {fmt(fp99, 2)} "
      f"| {fmt(rps / frps if rps and frps else None, 2)} | {fmt(p99 / fp99 if p99 and fp99 else None, 2)} "
      f"| {fmt(median(key, 'retailer', 'wholesaler_calls_per_s'), 1)} |")

# Wholesaler calls for the completed transcript during scenario (1), from a cold cache.
before = json.load(open(f"{folder}/emulator-stats-before.json"))["transcript_requests"]
after = json.load(open(f"{folder}/emulator-stats-after.json"))["transcript_requests"]
native = setup["transcript_path"].rsplit("/", 1)[-1]
meetings = json.load(open(f"{folder}/emulator-meetings.json"))["meetings"]
wholesaler_id = str(next(m["id"] for m in meetings if m["native_meeting_id"] == native))
calls = after.get(wholesaler_id, 0) - before.get(wholesaler_id, 0)
all_calls = sum(after.values()) - sum(before.values())

# RSS of the service processes.
idle, before_soak, soaked = (json.load(open(f"{folder}/proc-{name}.json")) for name in ("idle", "before-soak", "after-soak"))


def rss(snapshot, service):
    return sum(v[2] for v in snapshot.values() if v[0] == f"VexaService.{service}")


w("\n| Service | RSS idle MiB | RSS before soak MiB | RSS after soak MiB | growth over the soak |")
w("|---|---:|---:|---:|---:|")
growths = []
for service in SERVICES:
    i, a, b = rss(idle, service), rss(before_soak, service), rss(soaked, service)
    growth = (b - a) / a * 100 if a else 0
    growths.append(growth)
    w(f"| {service} | {i / 1024:.0f} | {a / 1024:.0f} | {b / 1024:.0f} | {growth:+.1f} % |")

# Where the CPU went during the Retailer's repetitions of scenario (1) (ticks of 10 ms).
cpu = {}
for r in runs:
    if r["scenario"] == "transcript" and r["target"] == "retailer" and r["rep"] in ("1", "2", "3"):
        for name, ticks in r["cpu_ticks"].items():
            cpu[name] = cpu.get(name, 0) + ticks
requests = total("transcript", "retailer", "requests") - sum(
    r["requests"] for r in runs if r["scenario"] == "transcript" and r["target"] == "retailer" and r["rep"] == "warmup")
top = sorted(cpu.items(), key=lambda kv: -kv[1])[:8]
w("\nCPU during scenario (1)'s Retailer repetitions, µs per request: "
  + ", ".join(f"{name} {ticks * 10_000 / max(requests, 1):.0f}" for name, ticks in top) + ".")
floor_cpu = {}
floor_requests = 0
for r in runs:
    if r["scenario"] == "transcript" and r["target"] == "floor" and r["rep"] in ("1", "2", "3"):
        floor_requests += r["requests"]
        for name, ticks in r["cpu_ticks"].items():
            floor_cpu[name] = floor_cpu.get(name, 0) + ticks
w("Floor, same: " + ", ".join(f"{name} {ticks * 10_000 / max(floor_requests, 1):.0f}"
                             for name, ticks in sorted(floor_cpu.items(), key=lambda kv: -kv[1])[:5]) + ".\n")

# The Wholesaler's whole meeting list grows with every meeting ever held; the Retailer should rarely need it.
end_stats = json.load(open(f"{folder}/emulator-stats-end.json"))
listings = end_stats.get("meeting_listings", 0) - json.load(open(f"{folder}/emulator-stats-start.json")).get("meeting_listings", 0)
held = open(f"{folder}/emulator-meeting-count.txt").read().strip()
w(f"Wholesaler `GET /meetings` calls from the end of scenario (1) to the end of the soak: {listings} "
  f"(the Wholesaler then held {held} meetings).\n")

# (7) The Wholesaler's view of the tenants scenario: everything it received (all services, follower included) and
# every 429 its rate limit gave, against the Retailer's default budget (Wholesaler:BudgetPerSecond 20, burst 60).
tenants_run = next((r for r in runs if r["scenario"] == "tenants"), None)
budget_per_second, budget_burst = 20, 60
tenant_calls = tenant_allowed = 0
if tenants_run:
    t_before = json.load(open(f"{folder}/emulator-stats-tenants-before.json"))
    t_after = json.load(open(f"{folder}/emulator-stats-tenants-after.json"))
    tenant_calls = t_after["requests_total"] - t_before["requests_total"]
    # The calls were counted between two snapshots, a little wider than wrk's run: the budget is for that interval.
    counted = float(open(f"{folder}/tenants-ended.txt").read()) - float(open(f"{folder}/tenants-started.txt").read())
    tenant_allowed = budget_per_second * counted + budget_burst
    w(f"Scenario (7): {tenants_run['requests']:,} requests from the tenants in {tenants_run['seconds']:.0f} s, "
      f"{tenants_run['non2xx']:,} of them answered non-2xx (503 Busy when a live transcript needs the Wholesaler and "
      f"the budget is spent and there is no earlier copy); the Wholesaler received {tenant_calls:,} calls in the "
      f"{counted:.1f} s between the counts ({tenant_calls / counted:.1f}/s; the budget allows {tenant_allowed:,.0f}).\n")
rate_limited = (json.load(open(f"{folder}/emulator-stats-tenants-after.json" if tenants_run else f"{folder}/emulator-stats-end.json"))
                .get("rate_limited", 0) - json.load(open(f"{folder}/emulator-stats-before.json")).get("rate_limited", 0))

# (8) Live transcripts over /ws: the same sockets and meetings through the gateway and straight at the emulator.
live_summary = live.summary(folder)
live_retailer = live_floor = live_added_p99 = None
live_runs = []
if live_summary:
    lines, live_retailer, live_floor, live_added_p99, live_runs = live_summary
    for line in lines:
        w(line)

rps, p99, frps, fp99, _ = rows["transcript"]
valid_failures = sum(rows[k][4] for k in ("transcript", "meetings", "status", "auth"))
checks = [
    ("(1) RPS ≥ 0.8× floor", rps is not None and frps is not None and rps >= 0.8 * frps, f"{rps / frps:.2f}×" if rps and frps else "—"),
    ("(1) p99 ≤ 1.5× floor", p99 is not None and fp99 is not None and p99 <= 1.5 * fp99, f"{p99 / fp99:.2f}×" if p99 and fp99 else "—"),
    ("one Wholesaler call per completed transcript", calls == 1,
     f"{calls} call(s) for meeting {wholesaler_id} during scenario (1) from a cold cache ({all_calls} transcript calls in all)"),
    ("zero failed valid authentications (non-2xx in 1/2/3/5)", valid_failures == 0, f"{valid_failures}"),
    ("RSS growth over the soak < 10 %", max(growths) < 10, f"max {max(growths):+.1f} %"),
    ("(7) Wholesaler calls within the budget", tenants_run is not None and tenant_calls <= tenant_allowed,
     f"{tenant_calls:,} calls, {tenant_allowed:,.0f} allowed" if tenants_run else "not run"),
    ("no 429 from the Wholesaler (rate limit on, from scenario (1) on)", rate_limited == 0, f"{rate_limited}"),
    ("(8) /ws p99 ≤ floor + 10 ms", live_added_p99 is not None and live_added_p99 <= 10,
     f"{live_added_p99:+.1f} ms" if live_added_p99 is not None else "not run"),
    ("(8) /ws ≤ 50 KB per idle socket", live_retailer is not None and live_retailer["rss_kb_per_idle_socket"] <= 50,
     f"{live_retailer['rss_kb_per_idle_socket']} kB" if live_retailer else "not run"),
    ("(8) no frame to a socket of another tenant", bool(live_runs) and all(
        r["wrong_meeting_frames"] == 0 and r["subscribed"] == r["sockets"] for r in live_runs),
     f"{sum(r['wrong_meeting_frames'] for r in live_runs)} of {sum(r['frames'] for r in live_runs):,} frames in "
     f"{len(live_runs)} run(s); at least {min(r['subscribed'] for r in live_runs)} of {live_runs[0]['sockets']} sockets "
     f"subscribed in each" if live_runs else "not run"),
]
w("| Target | Holds | Measured |")
w("|---|---|---|")
for name, holds, measured in checks:
    w(f"| {name} | {'yes' if holds else '**no**'} | {measured} |")
print("\n".join(out))
