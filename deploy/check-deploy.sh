#!/usr/bin/env bash
# Checks the deployment files without a running systemd, Prometheus, Grafana or
# container engine: the systemd unit's hardening and syntax, a node running in
# the unit's seccomp sandbox (check-syscalls.sh), the alert rules and their
# unit tests, the dashboard, and the container files. .ci/run calls it.
# Installs the Debian packages it needs (systemd for systemd-analyze,
# prometheus for promtool, python3-yaml, python3-seccomp, strace, curl) when
# they are missing; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# The exposure `systemd-analyze security` may give the unit at most.
max_exposure=2.0

need=()
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v promtool >/dev/null || need+=(prometheus)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || need+=(python3-seccomp)
command -v strace >/dev/null || need+=(strace)
command -v curl >/dev/null || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
python=/usr/bin/python3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== systemd unit: deploy/kiemd.service"
# verify wants the binary to exist: check a copy that points at a stand-in.
printf '#!/bin/sh\nexit 0\n' > "$scratch/kiemd"
chmod 0755 "$scratch/kiemd"
sed "s|/usr/local/bin/kiemd|$scratch/kiemd|g" deploy/kiemd.service > "$scratch/kiemd.service"
if ! systemd-analyze verify "$scratch/kiemd.service" 2> "$scratch/verify.txt" || [ -s "$scratch/verify.txt" ]; then
    cat "$scratch/verify.txt" >&2
    echo "systemd-analyze verify: FAILED" >&2
    exit 1
fi
echo "systemd-analyze verify: clean"
systemd-analyze security --offline=true --no-pager deploy/kiemd.service > "$scratch/security.txt" || true
exposure=$(sed -n 's/.*Overall exposure level for kiemd.service: \([0-9.]*\).*/\1/p' "$scratch/security.txt")
if [ -z "$exposure" ]; then
    cat "$scratch/security.txt" >&2
    echo "systemd-analyze security: no exposure figure" >&2
    exit 1
fi
echo "systemd-analyze security --offline=true: exposure $exposure (at most $max_exposure)"
if ! awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
    grep '✗' "$scratch/security.txt" >&2 || true
    echo "the unit's exposure $exposure is above $max_exposure" >&2
    exit 1
fi

# The daemon inside the unit's sandbox (needs root and the build; see the script).
bin=${KIEM_BIN:-$(swift build --show-bin-path)}
if [ -x "$bin/kiemd" ] && [ -x "$bin/kiemctl" ] && [ "$(id -u)" -eq 0 ]; then
    KIEM_BIN="$bin" deploy/check-syscalls.sh
else
    echo "kiemd is not built in $bin, or not root: skipped running a node in the unit's sandbox"
fi

echo "== observability: deploy/observability"
promtool check rules deploy/observability/kiem-alerts.yml
(cd deploy/observability && promtool test rules kiem-alerts.test.yml)
promtool check config --syntax-only deploy/container/prometheus.yml
$python -m json.tool deploy/observability/kiem-dashboard.json > /dev/null
echo "kiem-dashboard.json: valid JSON"
$python deploy/observability/check-metric-names.py

echo "== containers: deploy/container"
$python deploy/container/check-container.py
# The image's commands, with this machine's build (debug, as setup-dev.sh
# leaves it; KIEM_BIN names another folder): kiem-init-pki makes the
# federation's certificates, and kiemd accepts every node's configuration.
if [ -x "$bin/kiemd" ] && [ -x "$bin/kiemctl" ]; then
    PATH="$bin:$PATH" KIEM_PKI="$scratch/pki" deploy/container/init-pki.sh uwv:uwv-1 svb:svb-1 rws:rws-1 regie:regie-1 > /dev/null
    for node in uwv-1 svb-1 rws-1 regie-1; do
        test -s "$scratch/pki/$node/node.crt"
        "$bin/kiemd" --check-config --config "deploy/container/config/$node.toml" > /dev/null
    done
    echo "kiem-init-pki and kiemd --check-config: the four nodes' certificates and configurations are valid"
else
    echo "kiemd and kiemctl are not built in $bin: skipped running the image's commands"
fi

echo "deployment checks: all passed"
