#!/usr/bin/env bash
# Regenerates the Swift code for Protocols/kiem/v1/*.proto into
# Sources/KiemProtocol/Generated/. The output is committed; CI never runs this.
#
# Needs:
#   protoc             Debian's protobuf-compiler (`apt-get install -y protobuf-compiler`).
#   protoc-gen-swift   from swift-protobuf 1.39.0, the runtime version Package.swift
#                      pins. Build it once, outside the repository:
#                        git clone https://github.com/apple/swift-protobuf.git /tmp/swift-protobuf
#                        cd /tmp/swift-protobuf && git checkout 1.39.0
#                        swift build -c release --product protoc-gen-swift
#                      then point PROTOC_GEN_SWIFT at .build/release/protoc-gen-swift
#                      (the default below), or put it on PATH.
#
# Usage: Protocols/generate.sh            (from anywhere)
#        PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift Protocols/generate.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$root/Sources/KiemProtocol/Generated"

protoc_bin="${PROTOC:-protoc}"
plugin="${PROTOC_GEN_SWIFT:-}"
if [[ -z "$plugin" ]]; then
  if command -v protoc-gen-swift >/dev/null 2>&1; then
    plugin="$(command -v protoc-gen-swift)"
  else
    plugin="/tmp/swift-protobuf/.build/release/protoc-gen-swift"
  fi
fi

command -v "$protoc_bin" >/dev/null 2>&1 || { echo "error: protoc not found (apt-get install -y protobuf-compiler)" >&2; exit 1; }
[[ -x "$plugin" ]] || { echo "error: protoc-gen-swift not found at $plugin (see the comment at the top of $0)" >&2; exit 1; }

plugin_version="$("$plugin" --version 2>/dev/null || true)"
case "$plugin_version" in
  *1.39.0*) ;;
  *) echo "warning: protoc-gen-swift reports '$plugin_version', expected 1.39.0" >&2 ;;
esac

# Replace the generated files, keep the README.
find "$out" -name '*.pb.swift' -delete

# Visibility=Public: the types are part of KiemProtocol's API (the transport and
#   node use them; Type+Proto.swift conversions keep them out of KiemCore).
# FileNaming=PathToUnderscores: kiem/v1/op.proto -> kiem_v1_op.pb.swift, flat in Generated/.
# UseAccessLevelOnImports=true: `public import SwiftProtobuf`, required because
#   Package.swift enables InternalImportsByDefault and the generated public
#   types conform to SwiftProtobuf protocols.
cd "$here"
"$protoc_bin" \
  --plugin=protoc-gen-swift="$plugin" \
  --swift_out="$out" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=PathToUnderscores \
  --swift_opt=UseAccessLevelOnImports=true \
  -I "$here" \
  kiem/v1/*.proto

echo "generated into ${out#"$root"/}:"
(cd "$out" && ls -1 *.pb.swift)
