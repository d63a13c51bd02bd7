#!/usr/bin/env bash
# Runs the four-node demo federation under strace and checks that every
# system call and socket address family kiemd used is one deploy/kiemd.service
# allows (deploy/check-syscalls.py): evidence that the hardened unit does not
# break the daemon, on a machine where systemd does not run as PID 1.
# Needs strace and a build (KIEM_BIN: the folder with kiemd and kiemctl,
# default `swift build --show-bin-path`). Not part of CI: it takes a few
# minutes under strace. Usage: deploy/check-syscalls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v strace >/dev/null || { echo "check-syscalls: install strace (apt-get install strace)" >&2; exit 1; }
bin=${KIEM_BIN:-$(swift build --show-bin-path)}
scratch=$(mktemp -d)
demo="$scratch/demo"
trap '"$bin/kiemctl" demo stop --dir "$demo" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

# strace follows the demo's kiemd processes (children of kiemctl) until they stop.
strace -f -qq -o "$scratch/trace" "$bin/kiemctl" demo --dir "$demo" --no-wait > "$scratch/demo.txt" &
tracer=$!
for _ in $(seq 1 600); do
    grep -q 'converged\|kiemctl demo stop' "$scratch/demo.txt" 2>/dev/null && break
    sleep 1
done
# Exercise the control socket, a write that replicates, and the metrics endpoint.
"$bin/kiemctl" --socket "$demo/uwv/kiemd.sock" status > /dev/null
"$bin/kiemctl" --socket "$demo/uwv/kiemd.sock" initiative create --title "Syscall check" \
    --summary "Written while kiemd runs under strace" --theme ai --phase idea --contact ops@uwv.example > /dev/null
"$bin/kiemctl" --socket "$demo/regie/kiemd.sock" sync > /dev/null
for port in $(sed -n 's/^listen = "127.0.0.1:\([0-9]*\)"/\1/p' "$demo"/*/kiemd.toml); do
    curl -fsS "http://127.0.0.1:$port/metrics" > /dev/null 2>&1 || true
done
"$bin/kiemctl" demo stop --dir "$demo" > /dev/null
wait "$tracer" || true
/usr/bin/python3 deploy/check-syscalls.py "$scratch/trace" deploy/kiemd.service
