#!/usr/bin/env bash
# Kiem's coverage-guided fuzz targets (libFuzzer); docs/fuzzing.md says more.
#
#   Tests/Fuzz/run.sh TARGET SECONDS [FLAG...]  build, then fuzz TARGET for at most SECONDS
#                                               (FLAGs go to libFuzzer, e.g. -runs=10000000)
#   Tests/Fuzz/run.sh build                     build every target
#   Tests/Fuzz/run.sh seeds                     rewrite Corpus/* from Kiem's own encoders
#                                               (regression-* inputs stay)
#   Tests/Fuzz/run.sh replay TARGET FILE...     run saved inputs once (a crash's artifact)
#
# TARGET is one of the targets below. Builds go to .build-fuzz/ at the
# repository's top (beside .build/, ignored by git, and outside Tests/ so that
# the checks that read Tests/ never see the dependencies' sources). Fuzzing
# reads the committed seeds in Corpus/TARGET and keeps what it finds in
# .build-fuzz/corpus/TARGET; a crash is saved in .build-fuzz/artifacts/TARGET/.
# One fuzzing process, no -jobs.
set -euo pipefail
cd "$(dirname "$0")"
# A failed property is a fatalError: leave the report to libFuzzer and
# AddressSanitizer, not to Swift's backtracer.
export SWIFT_BACKTRACE=enable=no

targets=(FuzzFrameDecoder FuzzPreface FuzzOpBatch FuzzConfiguration)
scratch=../../.build-fuzz

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    echo "targets: ${targets[*]}"
    exit 2
}

# Every module, Kiem's and its dependencies', gets libFuzzer's coverage and
# AddressSanitizer; -O for speed; -enable-testing for the @testable imports
# of the ingest path; -parse-as-library since libFuzzer brings main.
build() {
    swift build --scratch-path "$scratch" -c debug \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
        -Xswiftc -O -Xswiftc -enable-testing "$@"
}

known() {
    local target
    for target in "${targets[@]}"; do [[ "$target" == "$1" ]] && return 0; done
    echo "unknown target '$1'" >&2
    usage
}

[[ $# -ge 1 ]] || usage
case "$1" in
build)
    build
    ;;
seeds)
    build
    for target in "${targets[@]}"; do
        # Inputs that once broke a property (regression-*) stay.
        [[ -d "Corpus/$target" ]] && find "Corpus/$target" -type f ! -name 'regression-*' -delete
        KIEM_FUZZ_WRITE_SEEDS="Corpus/$target" "$scratch/debug/$target"
    done
    cp ../../deploy/kiemd.example.toml Corpus/FuzzConfiguration/kiemd.example.toml
    ;;
replay)
    [[ $# -ge 3 ]] || usage
    known "$2"
    build --product "$2"
    [[ -f "Sanitizers/$2.lsan" ]] && export LSAN_OPTIONS="suppressions=$PWD/Sanitizers/$2.lsan"
    "$scratch/debug/$2" "${@:3}"
    ;;
*)
    [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage
    target=$1 seconds=$2
    known "$target"
    shift 2
    build --product "$target"
    mkdir -p "$scratch/corpus/$target" "$scratch/artifacts/$target"
    extra=()
    [[ -f "Dictionaries/$target.dict" ]] && extra=("-dict=Dictionaries/$target.dict")
    # Known leaks in dependencies, each explained in its file. A target that
    # leaks on every input also skips libFuzzer's leak check after each
    # input that allocated more than it freed: a full LeakSanitizer scan
    # each time (19 executions a second instead of thousands).
    if [[ -f "Sanitizers/$target.lsan" ]]; then
        export LSAN_OPTIONS="suppressions=$PWD/Sanitizers/$target.lsan"
        extra+=(-detect_leaks=0)
    fi
    exec "$scratch/debug/$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$scratch/artifacts/$target/" "${extra[@]}" "$@" \
        "$scratch/corpus/$target" "Corpus/$target"
    ;;
esac
