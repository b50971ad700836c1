#!/usr/bin/env python3
"""Scenario (8) of a bench run folder: every LIVE_JSON line of live-retailer.txt (through the gateway) and
live-floor.txt (straight at the emulator), run in pairs. One run's p99 moves by tens of milliseconds on two shared
cores, so each side is summed up by its median run (by p99); the others are listed.

    live.py <run folder>      prints the summary (BENCH_ONLY=live)"""
import json
import statistics
import sys


def runs(folder, target):
    try:
        return [json.loads(l[len("LIVE_JSON "):]) for l in open(f"{folder}/live-{target}.txt") if l.startswith("LIVE_JSON ")]
    except OSError:
        return []


def median_run(side):
    return sorted(side, key=lambda r: r["latency_p99_ms"])[(len(side) - 1) // 2] if side else None


def summary(folder):
    """(Markdown lines, gateway's median run, floor's median run, added p99 ms, all gateway runs) or None."""
    gateway, floor = runs(folder, "retailer"), runs(folder, "floor")
    if not gateway or not floor:
        return None
    g, f = median_run(gateway), median_run(floor)
    lines = [
        f"Scenario (8), live transcripts over `/ws`, the same client sockets through the gateway and straight at the "
        f"emulator's `/ws` (floor), {len(gateway)} pair(s) of runs; latency from each frame's `ts` (the emulator's "
        f"publish) to its receipt. Each side's median run (by p99):\n",
        "| | sockets open / subscribed | frames/s | p50 ms | p99 ms | max ms | wrong-meeting frames | closed by server | RSS kB per idle socket |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("gateway", g), ("floor (emulator)", f)):
        lines.append(f"| {name} | {r['open']} / {r['subscribed']} | {r['frames_per_s']:,.0f} | {r['latency_p50_ms']} | "
                     f"{r['latency_p99_ms']} | {r['latency_max_ms']} | {r['wrong_meeting_frames']} | {r['closed_by_server']} | "
                     f"{r['rss_kb_per_idle_socket']} |")
    lines.append("")
    lines.append("p99 of every run, gateway / floor: " + ", ".join(
        f"{a['latency_p99_ms']} / {b['latency_p99_ms']}" for a, b in zip(gateway, floor)) + " ms.\n")
    return lines, g, f, g["latency_p99_ms"] - f["latency_p99_ms"], gateway


if __name__ == "__main__":
    result = summary(sys.argv[1])
    if result is None:
        sys.exit("no scenario (8) runs in " + sys.argv[1])
    lines, g, f, added, gateway = result
    print("\n".join(lines))
    print(f"added p99 (medians): {added:+.1f} ms (target ≤ +10); wrong-meeting frames in all runs: "
          f"{sum(r['wrong_meeting_frames'] for r in gateway)}")
