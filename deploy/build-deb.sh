#!/usr/bin/env bash
# Builds the Debian package kiem_<version>_amd64.deb with dpkg-deb:
#   /usr/sbin/kiemd, /usr/bin/kiemctl      stripped
#   /lib/systemd/system/kiemd.service      deploy/kiemd.service, ExecStart /usr/sbin/kiemd
#   /etc/kiem/kiemd.toml                   conffile: deploy/kiemd.example.toml with the
#                                          node's identity and peers commented out
#   bash, zsh and fish completions         kiemctl --generate-completion-script
#   /usr/share/man/man8/kiemd.8.gz,        swift-argument-parser's generate-manual plugin
#   /usr/share/man/man1/kiemctl.1.gz
#   /usr/share/doc/kiem/                   README.md, copyright, changelog
#   maintainer scripts                     deploy/debian/: the kiem system user,
#                                          nothing enabled or started; purge removes
#                                          the user, /var/lib/kiem and /etc/kiem
#
# Usage: deploy/build-deb.sh [--debug | --configuration debug|release]
#                            [--scratch-path DIR] [--output DIR]
#
# release (the default) builds every product with the Swift runtime linked
# statically, so the package needs no Swift on the machine it is installed on.
# --debug packages the debug build that `swift build` (deploy/setup-dev.sh)
# left, building nothing new but the manual tool: quick, for CI. Its binaries
# load the Swift runtime from the toolchain at /opt/swift (their RUNPATH), so a
# debug package runs only on a machine with that toolchain; lintian's complaint
# about that RUNPATH is overridden in the debug package only
# (deploy/debian/lintian-overrides.debug). lintian has nothing else to
# overlook in either package.
# Prints the path of the package it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    sed -n '/^# Usage:/,/^#$/ s/^# \{0,1\}//p' "$0"
}

configuration=release
scratch=.build
output=.
while [ $# -gt 0 ]; do
    case $1 in
        --debug) configuration=debug ;;
        --configuration) configuration=${2:?--configuration needs debug or release}; shift ;;
        --configuration=*) configuration=${1#*=} ;;
        --scratch-path) scratch=${2:?--scratch-path needs a folder}; shift ;;
        --scratch-path=*) scratch=${1#*=} ;;
        --output) output=${2:?--output needs a folder}; shift ;;
        --output=*) output=${1#*=} ;;
        -h | --help) usage; exit 0 ;;
        *) echo "build-deb.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case $configuration in
    debug | release) ;;
    *) echo "build-deb.sh: --configuration is debug or release, not '$configuration'" >&2; exit 2 ;;
esac
for tool in dpkg-deb dpkg-shlibdeps strip gzip; do
    command -v "$tool" >/dev/null || { echo "build-deb.sh: $tool is missing (apt-get install dpkg-dev binutils)" >&2; exit 1; }
done

# The version kiemd reports ("kiemd 0.1.0"), the one place it is written.
version=$(sed -n 's/.*static let version = "kiemd \([0-9][0-9A-Za-z.+~]*\)".*/\1/p' Sources/KiemCore/KiemSoftware.swift)
[ -n "$version" ] || { echo "build-deb.sh: no version in Sources/KiemCore/KiemSoftware.swift" >&2; exit 1; }

# Build (or find built) every product, and the manual pages from each
# command's own help (--experimental-dump-help), in one go: the plugin builds
# all products in the configuration given, which after setup-dev.sh's debug
# build is nothing to do.
swift_options=(--scratch-path "$scratch")
if [ "$configuration" = release ]; then
    swift_options+=(-Xswiftc -static-stdlib)
    # The plugin builds every product, kiem-bench too, whose URLSession
    # needs libcurl to link once Foundation is linked in statically.
    if ! ldconfig -p | grep -q 'libcurl\.so '; then
        echo "build-deb.sh: a release build needs libcurl's development files: apt-get install libcurl4-openssl-dev" >&2
        exit 1
    fi
fi
echo "== building ($configuration) and generating the manual pages"
# The date of the last commit, so that the same tree gives the same pages.
date=$(date -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)" +%Y-%m-%d)
swift package "${swift_options[@]}" generate-manual --configuration "$configuration" --date "$date"
manuals="$scratch/plugins/GenerateManual/outputs"
bin=$(swift build "${swift_options[@]}" -c "$configuration" --show-bin-path)
for file in "$bin/kiemd" "$bin/kiemctl" "$manuals/kiemd/kiemd.1" "$manuals/kiemctl/kiemctl.1"; do
    [ -s "$file" ] || { echo "build-deb.sh: $file was not built" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/kiem"
doc="$root/usr/share/doc/kiem"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/sbin" "$root/lib/systemd/system" "$root/etc/kiem" \
    "$root/usr/share/man/man1" "$root/usr/share/man/man8" "$doc" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"

echo "== laying out the package"
install -m 0755 "$bin/kiemd" "$root/usr/sbin/kiemd"
install -m 0755 "$bin/kiemctl" "$root/usr/bin/kiemctl"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/sbin/kiemd" "$root/usr/bin/kiemctl"

# The unit as deploy/kiemd.service has it, but for the packaged binary's path
# and with a header for the package instead of the manual installation steps.
{
    echo "# systemd unit for kiemd, installed by the kiem package. Nothing starts it until you do:"
    echo "#   edit /etc/kiem/kiemd.toml, put the node's key and certificates in /etc/kiem/tls/, then"
    echo "#   systemctl enable --now kiemd"
    sed -e '1,/systemctl enable --now kiemd$/d' -e 's|/usr/local/bin/kiemd|/usr/sbin/kiemd|g' deploy/kiemd.service
} > "$root/lib/systemd/system/kiemd.service"
chmod 0644 "$root/lib/systemd/system/kiemd.service"
if grep -q /usr/local "$root/lib/systemd/system/kiemd.service" || ! grep -q '^ExecStart=/usr/sbin/kiemd ' "$root/lib/systemd/system/kiemd.service"; then
    echo "build-deb.sh: deploy/kiemd.service no longer has the shape this script rewrites (header, /usr/local/bin/kiemd)" >&2
    exit 1
fi

# The conffile: the example, every key explained, with the parts that differ
# per node (organisation, node, peers) commented out, so that kiemd refuses
# to start until the operator has filled them in.
{
    echo "# /etc/kiem/kiemd.toml, from the kiem package. Fill in organisation, node and the"
    echo "# [[peers]] (commented out below), put the node's key and certificates in"
    echo "# /etc/kiem/tls/ (owned by kiem, the key mode 0600), check the file with"
    echo "#   kiemd --check-config --config /etc/kiem/kiemd.toml"
    echo "# then start the node with: systemctl enable --now kiemd"
    echo "#"
    sed -e 's/^\(organisation\|node\) = /#&/' -e '/^\[\[peers\]\]/,$ s/^\([^#]\)/#\1/' deploy/kiemd.example.toml
} > "$root/etc/kiem/kiemd.toml"
chmod 0644 "$root/etc/kiem/kiemd.toml"
echo /etc/kiem/kiemd.toml > "$root/DEBIAN/conffiles"

# Completions, from kiemctl itself.
# bash-completion sources its files, so without ArgumentParser's #! line.
"$bin/kiemctl" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/kiemctl"
"$bin/kiemctl" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_kiemctl"
"$bin/kiemctl" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/kiemctl.fish"

# Manual pages: kiemd is a daemon in /usr/sbin, so section 8. The help
# texts' blank lines between paragraphs become mdoc paragraph breaks (.Pp);
# man warns about blank lines.
sed -e 's/^\.Dt KIEMD 1$/.Dt KIEMD 8/' -e 's/^$/.Pp/' "$manuals/kiemd/kiemd.1" | gzip -9n > "$root/usr/share/man/man8/kiemd.8.gz"
sed -e 's/^$/.Pp/' "$manuals/kiemctl/kiemctl.1" | gzip -9n > "$root/usr/share/man/man1/kiemctl.1.gz"

install -m 0644 README.md "$doc/README.md"
install -m 0644 deploy/debian/copyright "$doc/copyright"
sed "s/@VERSION@/$version/; s/@DATE@/$(LC_ALL=C date -R -u -d "$date")/" \
    deploy/debian/changelog | gzip -9n > "$doc/changelog.gz"
if [ "$configuration" = debug ]; then
    install -d -m 0755 "$root/usr/share/lintian/overrides"
    install -m 0644 deploy/debian/lintian-overrides.debug "$root/usr/share/lintian/overrides/kiem"
fi
for script in postinst prerm postrm; do
    install -m 0755 "deploy/debian/$script" "$root/DEBIAN/$script"
done

# Depends: the shared libraries the binaries load, as Debian's packages
# provide them (libc6, libsqlite3-0, libstdc++6, …). A debug build's Swift
# runtime comes from /opt/swift, which no Debian package provides.
mkdir -p "$work/debian"
printf 'Source: kiem\n\nPackage: kiem\nArchitecture: amd64\n' > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info --warnings=0 kiem/usr/sbin/kiemd kiem/usr/bin/kiemctl 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build-deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@DEPENDS@/$shlibs, adduser, init-system-helpers (>= 1.54)/" \
    -e "s/@INSTALLED_SIZE@/$installed_size/" deploy/debian/control > "$root/DEBIAN/control"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$output"
deb="$output/kiem_${version}_amd64.deb"
# xz for a release; gzip, twice as large but twice as quick, for CI's debug package.
compression=xz
if [ "$configuration" = debug ]; then compression=gzip; fi
dpkg-deb --root-owner-group -Z"$compression" --build "$root" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1), $configuration build)"
