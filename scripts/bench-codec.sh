#!/usr/bin/env bash
# The SubmitRefundRequest codec benchmarks (Benchmarks/, ordo-one/benchmark): the Swift bridge's
# encode, decode and round trip next to libprotobuf-c's own pack and unpack of the same message in
# C. Builds in release, runs them, and prints one JSON summary on stdout (the benchmark tool's
# own output goes to stderr). Benchmarks/README.md says how to read it.
#
#   scripts/bench-codec.sh                       all six benchmarks
#   BENCH_FILTER='Swift\..*' scripts/bench-codec.sh   a subset (a regular expression on names)
#
# Writes OUT_DIR (default results/bench-codec, gitignored): the tool's log (benchmark.log), its JMH
# export (Current_run.jmh.json, every sample) and summary.json (what stdout shows). Exits non-zero
# when a benchmark fails, e.g. when Swift and C no longer encode the fixture to the same bytes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT_DIR:-$root/results/bench-codec}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/*.jmh.json

filter=()
if [[ -n "${BENCH_FILTER:-}" ]]; then filter=(--filter "$BENCH_FILTER"); fi

# The JMH export is the tool's only JSON with p50 and p99 (jsonSmallerIsBetter keeps p99 only).
(cd "$root/Benchmarks" && swift package --allow-writing-to-directory "$out" benchmark \
    --format jmh --path "$out" --no-progress "${filter[@]}") 2>&1 | tee "$out/benchmark.log" >&2

# The plugin exits 0 even when a benchmark's setup threw (e.g. CodecFixture.verify() found that
# Swift and C encode the fixture differently), so read its verdict from the log.
if grep -q "The following benchmarks failed" "$out/benchmark.log"; then
    echo "bench-codec: benchmarks failed (see above or $out/benchmark.log)" >&2
    exit 1
fi
jmh=("$out"/*.jmh.json)
[[ -f "${jmh[0]}" ]] || { echo "bench-codec: the benchmark tool wrote no JMH file in $out" >&2; exit 1; }

python3 - "${jmh[0]}" "$out/summary.json" "$(uptime)" <<'PY'
import json, sys

# Each measured sample is CALLS_PER_SAMPLE codec calls (the suite's scalingFactor, .kilo).
CALLS_PER_SAMPLE = 1000
jmh_path, summary_path, uptime = sys.argv[1:4]

def per_call(metric, percentile):
    # JMH keeps time metrics in µs per sample (ns / 1000) and counts as they are, per sample.
    value = metric["scorePercentiles"][percentile]
    if metric["scoreUnit"] == "μs":
        return value * 1000 / CALLS_PER_SAMPLE
    return value / CALLS_PER_SAMPLE

benchmarks = {}
for element in json.load(open(jmh_path)):
    name = element["benchmark"].split(".", 3)[3].replace("_", " ")
    metrics = element["secondaryMetrics"]
    wall = metrics["Time (wall clock)"]
    entry = {
        "ns_p50": round(per_call(wall, "50.0"), 1),
        "ns_p99": round(per_call(wall, "99.0"), 1),
        "mallocs_p50": round(per_call(metrics["Malloc (total)"], "50.0"), 2),
        "mallocs_p99": round(per_call(metrics["Malloc (total)"], "99.0"), 2),
        "malloc_bytes_p50": round(per_call(metrics["Malloc (bytes total)"], "50.0"), 1),
        # Samples per second, so calls per second is that times CALLS_PER_SAMPLE.
        "calls_per_s_p50": round(element["primaryMetric"]["scorePercentiles"]["50.0"] * CALLS_PER_SAMPLE),
        "samples": element["measurementIterations"],
    }
    benchmarks[name] = entry

if not benchmarks:
    sys.exit(f"bench-codec: no benchmark results in {jmh_path}")

def ratio(swift, c, key="ns_p50"):
    if swift in benchmarks and c in benchmarks and benchmarks[c].get(key):
        return round(benchmarks[swift][key] / benchmarks[c][key], 2)
    return None

summary = {
    "message": "refundmesh.intake.v1.SubmitRefundRequest, 2 attachments (metadata, 32-byte contents)",
    "unit": f"per codec call: wall-clock ns and mallocs, percentiles over samples of {CALLS_PER_SAMPLE} calls",
    "benchmarks": dict(sorted(benchmarks.items())),
    "ratio_swift_over_c": {
        "round_trip_p50": ratio("Swift.roundTrip", "C.roundTrip"),
        "round_trip_p99": ratio("Swift.roundTrip", "C.roundTrip", "ns_p99"),
        "encode_over_pack_p50": ratio("Swift.encode", "C.pack"),
        "decode_over_unpack_p50": ratio("Swift.decode", "C.unpackFree"),
    },
    "load": uptime.split("load average:")[-1].strip(),
}
with open(summary_path, "w") as file:
    json.dump(summary, file, indent=2, ensure_ascii=False)
    file.write("\n")
print(json.dumps(summary, ensure_ascii=False))
PY
