#!/bin/sh
# Creates a test federation's CA and one certificate folder per node in /pki,
# once: compose.yaml runs it before the nodes start. Usage:
#   kiem-init-pki ORG:NODE ...
# For a test federation only: the CA key stays in the volume beside the nodes'.
set -eu
pki=${KIEM_PKI:-/pki}
if [ -f "$pki/ca/ca.crt" ]; then
    echo "kiem-init-pki: $pki already holds a federation CA; nothing to do"
    exit 0
fi
kiemctl pki init-ca --out "$pki/ca" --name "Kiem test federation" --days 3650
for pair in "$@"; do
    org=${pair%%:*}
    node=${pair#*:}
    kiemctl pki issue --ca "$pki/ca" --org "$org" --node "$node" --days 365 --out "$pki/$node"
done
echo "kiem-init-pki: CA and $# node certificates in $pki"
