#!/usr/bin/env bash
# Rejects calls that block the thread they run on in Sources/ and Tests/.
# The daemon's event loops and Swift's cooperative pool have as many threads
# as cores; one blocked thread starves every connection or task that shares
# it (under load the suite then fails with "no preface within 10 s"). Wait
# with async code instead (ChildProcess, NIOThreadPool.runIfActive,
# continuations). A use that is truly harmless is listed, with its reason, in
# .ci/blocking-calls-allowed.txt as `path<TAB>call<TAB>reason`.
set -euo pipefail
cd "$(dirname "$0")/.."

calls='DispatchSemaphore|DispatchGroup|\.wait\(\)|\.wait\(timeout:|waitUntilExit|Thread\.sleep|usleep\(|[^.[:alnum:]_]sleep\(|readDataToEndOfFile|syncShutdownGracefully'
allowed=.ci/blocking-calls-allowed.txt

found=0
while IFS= read -r hit; do
    file=${hit%%:*}
    text=${hit#*:*:}
    call=$(grep -oE "$calls" <<<"$text" | head -1 | sed -E 's/^[^[:alnum:]_.]//')
    if awk -F'\t' -v f="$file" -v c="$call" '$1 == f && $2 == c { ok = 1 } END { exit !ok }' "$allowed"; then
        continue
    fi
    echo "blocking call '$call': $hit" >&2
    found=1
done < <(grep -rnE --include='*.swift' "$calls" Sources Tests | grep -v '^Sources/KiemProtocol/Generated/' || true)

if [ "$found" -ne 0 ]; then
    echo "Blocking calls are not allowed in Sources/ and Tests/ (see .ci/no-blocking-calls.sh)." >&2
    exit 1
fi
echo "no blocking calls outside $allowed"
