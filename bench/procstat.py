#!/usr/bin/env python3
"""Prints {pid: [name, cpu ticks, rss kB]} for every process, so the report can tell where CPU and memory went."""
import json
import os

snapshot = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            exe = f.read().split(b"\0")[0].decode(errors="replace")
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    name = os.path.basename(exe) or stat[stat.index("(") + 1:stat.rindex(")")]
    snapshot[pid] = [name, int(fields[11]) + int(fields[12]), rss]
print(json.dumps(snapshot))
