#!/usr/bin/env bash
# Builds the libFuzzer executables in Fuzz/ (libFuzzer + AddressSanitizer, release) and runs one
# fuzz target for a given time. Fuzz/README.md explains the targets and what to do with a crash.
#
#   scripts/fuzz.sh frames 1800            fuzz the frame decoder for 30 minutes
#   scripts/fuzz.sh messages 1800          fuzz the protobuf-c message bridge for 30 minutes
#   scripts/fuzz.sh replay frames FILE...  run inputs once through a target (reproduce a crash)
#   scripts/fuzz.sh seeds                  rewrite Fuzz/corpus/*/seed-* from FuzzSeeds
#   scripts/fuzz.sh build                  only build
#
# New corpus entries and crash artifacts go to fuzz-out/<target>/ (gitignored); the log of a run
# is fuzz-out/<target>/fuzz.log. Environment: FUZZ_SCRATCH (build folder, default .build-fuzz),
# FUZZ_NICE (niceness of the fuzzer, default 10), FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${FUZZ_SCRATCH:-$root/.build-fuzz}
targets=(frames messages)

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

# SwiftPM's --sanitize=fuzzer puts coverage into the C targets and links libFuzzer's main, but
# compiles Swift with ASan only: -Xswiftc -sanitize=fuzzer adds the Swift code's coverage, and
# -parse-as-library keeps the executables from defining a main of their own.
swift_build() {
    (cd "$root/Fuzz" && swift build -c release --scratch-path "$scratch" \
        --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library "$@")
}

# Swift's own crash backtracer reads the stack in ways ASan reports as an overflow, hiding the
# real failure; libFuzzer and ASan print what is needed.
export SWIFT_BACKTRACE=enable=no

build() {
    echo "building the fuzzers in $scratch (a first build can take 45 minutes on 2 cores)" >&2
    swift_build >&2
    bin=$(swift_build --show-bin-path)
}

check_target() {
    [[ " ${targets[*]} " == *" $1 "* ]] || { echo "unknown target '$1' (one of: ${targets[*]})" >&2; exit 2; }
}

[[ $# -ge 1 ]] || usage
case "$1" in
build)
    build
    echo "$bin"
    ;;
seeds)
    build
    for target in "${targets[@]}"; do
        rm -f "$root/Fuzz/corpus/$target"/seed-*
        REFUNDMESH_FUZZ_WRITE_SEEDS="$root/Fuzz/corpus/$target" "$bin/fuzz-$target"
    done
    ;;
replay)
    [[ $# -ge 3 ]] || usage
    check_target "$2"
    build
    target=$2
    shift 2
    "$bin/fuzz-$target" -runs=1 "$@"
    ;;
*)
    [[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || usage
    target=$1
    seconds=$2
    check_target "$target"
    build
    out="$root/fuzz-out/$target"
    mkdir -p "$out/corpus" "$out/artifacts"
    log="$out/fuzz.log"
    echo "fuzzing $target for ${seconds}s: corpus $out/corpus (+ Fuzz/corpus/$target), log $log" >&2
    status=0
    # One worker at low priority: the machine is shared with builds. The first corpus folder
    # receives new inputs; the committed seeds are only read.
    # shellcheck disable=SC2086
    nice -n "${FUZZ_NICE:-10}" "$bin/fuzz-$target" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/" ${FUZZ_ARGS:-} \
        "$out/corpus" "$root/Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    echo "--- libFuzzer's last lines ($log)"
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE|pulse|NEW|REDUCE)' "$log" | tail -n 3 || true
    grep -E '^(stat::|Done [0-9]+ runs)' "$log" || true
    grep -E '^(==[0-9]+==ERROR|SUMMARY:|Fatal error|artifact_prefix|Test unit written)' "$log" || true
    echo "--- corpus: $(find "$out/corpus" -type f | wc -l) files in $out/corpus;" \
        "artifacts: $(find "$out/artifacts" -type f | wc -l) in $out/artifacts"
    exit "$status"
    ;;
esac
