#!/usr/bin/env bash
# Runs `swift test` with two busy loops beside it: the load of a shared CI
# machine or a developer's laptop, under which a ten-second silence is
# starvation (something blocks the few threads everything shares), not
# slowness. Extra arguments go to `swift test` (e.g. --filter KiemNodeTests).
# Exits with swift test's status; the busy loops end with the script.
#
#   deploy/test-under-load.sh                 # the whole suite
#   BUSY_LOOPS=3 deploy/test-under-load.sh    # a heavier load
set -uo pipefail
cd "$(dirname "$0")/.."

loops=()
stop_loops() {
    for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
}
trap stop_loops EXIT
trap 'exit 130' INT TERM

for _ in $(seq "${BUSY_LOOPS:-2}"); do
    sh -c 'while :; do :; done' &
    loops+=("$!")
done

started=$(date +%s)
swift test "$@"
status=$?
elapsed=$(($(date +%s) - started))
if [ "$status" -eq 0 ]; then
    echo "test-under-load: PASS (swift test $*, ${#loops[@]} busy loops, ${elapsed} s)"
else
    echo "test-under-load: FAIL, exit status $status (swift test $*, ${#loops[@]} busy loops, ${elapsed} s)"
fi
exit "$status"
