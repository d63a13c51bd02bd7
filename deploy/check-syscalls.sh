#!/usr/bin/env bash
# Runs one node of the demo federation the way deploy/kiemd.service confines
# it, without systemd: as an unprivileged user (nobody), with no_new_privs and
# the unit's seccomp filter (SystemCallFilter, SystemCallErrorNumber,
# RestrictAddressFamilies, MemoryDenyWriteExecute; deploy/unit-sandbox.py
# builds it from the unit),
# under strace. It checks that the node starts, answers kiemctl, writes,
# receives a peer's op, serves /metrics and stops cleanly, then lists what
# the filter refused. The file-system settings (ProtectSystem, ...) are not
# emulated. Needs root, strace, python3-seccomp, curl and a build (KIEM_BIN:
# the folder with kiemd and kiemctl, default `swift build --show-bin-path`).
# deploy/check-deploy.sh runs it (so CI does). Usage: deploy/check-syscalls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${KIEM_BIN:-$(swift build --show-bin-path)}
scratch=$(mktemp -d)
chmod 0755 "$scratch"
demo="$scratch/demo"
trap '"$bin/kiemctl" demo stop --dir "$demo" >/dev/null 2>&1 || true; [ -n "${KEEP_TRACE:-}" ] && cp "$scratch/trace" "$KEEP_TRACE"; rm -rf "$scratch"' EXIT
fail() { echo "check-syscalls: $*" >&2; tail -20 "$scratch/uwv.log" >&2 || true; exit 1; }

"$bin/kiemctl" demo --dir "$demo" --no-wait > "$scratch/demo.txt"
kill -TERM "$(cat "$demo/uwv/kiemd.pid")"
for _ in $(seq 1 100); do [ -e "$demo/uwv/kiemd.pid" ] || break; sleep 0.2; done
[ ! -e "$demo/uwv/kiemd.pid" ] || fail "the demo's uwv node did not stop within 20 s of SIGTERM"
# The node's files become nobody's, as /var/lib/kiem is kiem's under the unit.
chown -R 65534:65534 "$demo"
touch "$scratch/trace" && chown 65534:65534 "$scratch/trace"
timeout 300 strace -f -qq -o "$scratch/trace" \
    setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
    /usr/bin/python3 deploy/unit-sandbox.py run deploy/kiemd.service -- \
    "$bin/kiemd" --config "$demo/uwv/kiemd.toml" 2> "$scratch/uwv.log" &
tracer=$!
ctl() { "$bin/kiemctl" --socket "$demo/$1/kiemd.sock" "${@:2}"; }
answered=
for _ in $(seq 1 300); do
    if ctl uwv status > /dev/null 2>&1; then answered=yes; break; fi
    kill -0 "$tracer" 2>/dev/null || break  # kiemd exited
    sleep 0.2
done
[ -n "$answered" ] || fail "kiemctl status got no answer from the sandboxed node"
ctl uwv initiative create --title "Sandbox check" --summary "Written in the sandbox" \
    --theme ai --contact ops@uwv.example > /dev/null || fail "a local write failed"
ctl svb initiative create --title "Sandbox check from svb" --summary "Replicated into the sandbox" \
    --theme ai --contact ops@svb.example > /dev/null
arrived=
for _ in $(seq 1 300); do
    if ctl uwv initiative search "Sandbox check from svb" 2>/dev/null | grep "Sandbox check from svb" >/dev/null; then arrived=yes; break; fi
    sleep 0.2
done
[ -n "$arrived" ] || fail "svb's op did not reach the sandboxed node"
metrics=$(sed -n '/^\[metrics\]/,/^\[/s/^listen = "\(.*\)"/\1/p' "$demo/uwv/kiemd.toml")
if [ -n "$metrics" ]; then
    curl -fsS "http://$metrics/metrics" | grep '^kiem_ops ' >/dev/null || fail "/metrics did not answer"
fi
kill -TERM "$(cat "$demo/uwv/kiemd.pid")"
wait "$tracer" || fail "kiemd did not exit with status 0 after SIGTERM"
echo "the sandboxed node started, answered kiemctl, wrote, received svb's op, served /metrics and stopped with status 0"
/usr/bin/python3 deploy/unit-sandbox.py check "$scratch/trace" deploy/kiemd.service
