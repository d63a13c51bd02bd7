#!/usr/bin/env bash
# Prepares a Debian 12 machine that has Swift installed for building and
# testing Kiem: installs the system packages the build and the tests need,
# then builds everything once. Run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    libsqlite3-dev   # GRDB links the system SQLite (with FTS5)
    openssl          # TLS interoperability tests use `openssl s_client`
    ca-certificates
    chromium         # the dashboard's browser test loads it in headless Chromium
)
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"

swift build --build-tests
echo "Kiem is built. Start the demo with: .build/debug/kiemctl demo (it runs the kiemd built beside it)"
echo "Run the tests with: deploy/test-under-load.sh (swift test beside two busy loops, as CI does)"
