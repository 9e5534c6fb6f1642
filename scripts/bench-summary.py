#!/usr/bin/env python3
"""Medians table (and ratios) from scripts/bench-matrix.sh's results.jsonl."""
import json
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    record = json.loads(line)
    rows[(record["scenario"], record["stack"])].append(record["result"])

labels = {"a": "1 conn × 1 caller, 64 B", "b": "1 conn × 64 callers, 64 B",
          "c": "4 conn × 64 callers, 64 B", "d": "1 conn × 64 callers, 4 KiB"}
print("| scenario | stack | rps | p50 µs | p90 µs | p99 µs | max µs | client/server CPU % | CPU µs per call (client+server) | runs: rps |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
medians = {}
for (scenario, stack), results in sorted(rows.items()):
    med = {k: statistics.median(r[k] for r in results) for k in ("rps", "p50_us", "p90_us", "p99_us", "max_us", "client_cpu_pct")}
    server = [r["server_cpu_pct"] for r in results if r.get("server_cpu_pct") is not None]
    med["server_cpu_pct"] = statistics.median(server) if server else float("nan")
    medians[(scenario, stack)] = med
    cpu_per_call = (med["client_cpu_pct"] + med["server_cpu_pct"]) / 100 / med["rps"] * 1e6 if med["rps"] else float("nan")
    runs = ", ".join(f"{r['rps']:.0f}" for r in results)
    print(f"| {scenario}: {labels.get(scenario, scenario)} | {stack} | {med['rps']:.0f} | {med['p50_us']:.0f} | {med['p90_us']:.0f} | "
          f"{med['p99_us']:.0f} | {med['max_us']:.0f} | {med['client_cpu_pct']:.0f} / {med['server_cpu_pct']:.0f} | {cpu_per_call:.1f} | {runs} |")

print()
print("| scenario | rps ratio (rpc-bench / grpc-swift-2) | p50 ratio | p99 ratio |")
print("|---|---:|---:|---:|")
for scenario in sorted({s for s, _ in medians}):
    ours, anchor = medians.get((scenario, "rpc-bench")), medians.get((scenario, "grpc-swift-2"))
    if not ours or not anchor:
        continue
    print(f"| {scenario} | {ours['rps'] / anchor['rps']:.1f}× | {ours['p50_us'] / anchor['p50_us']:.3f} | {ours['p99_us'] / anchor['p99_us']:.3f} |")
