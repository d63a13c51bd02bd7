#!/usr/bin/env bash
# Builds the Debian package (deploy/build-deb.sh; --debug unless other
# arguments are given, so CI packages the debug build setup-dev.sh made),
# runs lintian on it (no error and no warning that deploy/debian's overrides
# do not explain), installs it on this machine with dpkg -i, checks what an
# operator gets, runs kiemd from it as the kiem user with kiemctl doctor
# beside, then removes and purges it and checks what each leaves.
# Run as root on a machine where the package is not installed; .ci/run calls
# it after setup-dev.sh. Installs lintian, dpkg-dev, binutils and systemd
# (systemctl, systemd-analyze) with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-package: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || fail "run as root: it installs and purges the package"
if dpkg-query -W -f='${Status}' kiem 2>/dev/null | grep -q 'installed\|config-files'; then
    fail "the package kiem is already on this machine; this check installs and purges it, so purge it first (dpkg -P kiem)"
fi
getent passwd kiem >/dev/null && fail "a user kiem exists though the package is not installed; the purge check needs it absent"

need=()
command -v lintian >/dev/null || need+=(lintian)
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
command -v strip >/dev/null || need+=(binutils)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v adduser >/dev/null || need+=(adduser)
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

scratch=$(mktemp -d)
installed=no
cleanup() {
    if [ "$installed" = yes ]; then
        echo "check-package: purging the package after a failure" >&2
        dpkg -P kiem >/dev/null 2>&1 || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT
started=$SECONDS

step "build"
[ $# -gt 0 ] || set -- --debug
deploy/build-deb.sh "$@" --output "$scratch" | tee "$scratch/build.txt"
deb=$(ls "$scratch"/kiem_*_amd64.deb)
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{ print $1, $6, $7, $8 }' > "$scratch/contents.txt"
cat "$scratch/contents.txt"

step "lintian"
lintian --fail-on error,warning --display-info "$deb" || fail "lintian: see the tags above (E: error, W: warning)"
overrides=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/lintian/overrides/kiem 2>/dev/null | grep -v '^#' || true)
echo "lintian: no errors and no warnings; overridden: ${overrides:-nothing}"

step "install (dpkg -i)"
installed=yes
dpkg -i "$deb" | tee "$scratch/install.txt"
grep -q 'kiemd is neither enabled nor started' "$scratch/install.txt" || fail "postinst did not say that nothing was started"

step "installed files"
for file in /usr/sbin/kiemd /usr/bin/kiemctl; do
    [ -x "$file" ] || fail "$file is not installed"
    readelf -S "$file" | grep '\.symtab' >/dev/null && fail "$file is not stripped"
done
for file in /lib/systemd/system/kiemd.service /usr/share/man/man8/kiemd.8.gz /usr/share/man/man1/kiemctl.1.gz \
    /usr/share/bash-completion/completions/kiemctl /usr/share/zsh/vendor-completions/_kiemctl \
    /usr/share/fish/vendor_completions.d/kiemctl.fish /usr/share/doc/kiem/copyright /usr/share/doc/kiem/README.md; do
    [ -s "$file" ] || fail "$file is missing"
done
bash -n /usr/share/bash-completion/completions/kiemctl || fail "the bash completion does not parse"
zcat /usr/share/man/man1/kiemctl.1.gz | grep '^\.Dt KIEMCTL 1' >/dev/null || fail "kiemctl.1 is not a section 1 page"
zcat /usr/share/man/man8/kiemd.8.gz | grep '^\.Dt KIEMD 8' >/dev/null || fail "kiemd.8 is not a section 8 page"
dpkg-query -W -f='${Conffiles}\n' kiem | grep '^ /etc/kiem/kiemd.toml ' >/dev/null || fail "/etc/kiem/kiemd.toml is not a conffile"

step "the kiem user and its folders"
IFS=: read -r _ _ _ _ _ home shell < <(getent passwd kiem) || fail "postinst did not create the user kiem"
[ "$home" = /var/lib/kiem ] && [ "$shell" = /usr/sbin/nologin ] || fail "kiem has home $home and shell $shell"
[ "$(stat -c '%U:%G %a' /var/lib/kiem)" = "kiem:kiem 700" ] || fail "/var/lib/kiem is $(stat -c '%U:%G %a' /var/lib/kiem)"
[ "$(stat -c '%U:%G %a' /etc/kiem/tls)" = "root:kiem 750" ] || fail "/etc/kiem/tls is $(stat -c '%U:%G %a' /etc/kiem/tls)"

step "the commands run from the installed paths"
/usr/bin/kiemctl --help > "$scratch/help.txt" || fail "kiemctl --help exited $?"
grep -q '^USAGE: kiemctl' "$scratch/help.txt" || fail "kiemctl --help printed: $(head -5 "$scratch/help.txt")"
/usr/sbin/kiemd --help | grep '^USAGE: kiemd' >/dev/null || fail "kiemd --help"
# As shipped, the conffile waits for the node's identity: kiemd refuses it.
status=0
/usr/sbin/kiemd --check-config --config /etc/kiem/kiemd.toml > "$scratch/check.txt" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "kiemd --check-config on the conffile as shipped exited $status, not 2: $(cat "$scratch/check.txt")"
echo "as shipped: $(cat "$scratch/check.txt")"
# Filled in as the operator would: a node certificate from a CA made with the
# installed kiemctl, the identity lines uncommented; checked as the kiem user.
/usr/bin/kiemctl pki init-ca --out "$scratch/ca" --name "Check CA" > /dev/null
/usr/bin/kiemctl pki issue --ca "$scratch/ca" --org uwv --node uwv-1 --out "$scratch/uwv-1" > /dev/null
install -m 0600 -o kiem -g kiem "$scratch/uwv-1/node.key" /etc/kiem/tls/node.key
install -m 0644 -o kiem -g kiem "$scratch/uwv-1/node.crt" "$scratch/uwv-1/ca.crt" /etc/kiem/tls/
sed -i -e '1,/^\[tls\]/ s/^#\(organisation\|node\) = /\1 = /' /etc/kiem/kiemd.toml
runuser -u kiem -- /usr/sbin/kiemd --check-config --config /etc/kiem/kiemd.toml | tee "$scratch/check.txt"
grep -q '^  node          uwv-1$' "$scratch/check.txt" || fail "kiemd --check-config did not read the edited conffile"

step "the unit: installed, valid, not enabled, not started"
systemd-analyze verify /lib/systemd/system/kiemd.service 2> "$scratch/verify.txt" || true
[ ! -s "$scratch/verify.txt" ] || fail "systemd-analyze verify: $(cat "$scratch/verify.txt")"
enabled=$(systemctl is-enabled kiemd.service 2>&1 || true)
[ "$enabled" = disabled ] || fail "systemctl is-enabled kiemd.service: $enabled"
links=$(find /etc/systemd/system -name kiemd.service 2>/dev/null)
[ -z "$links" ] || fail "kiemd.service is linked: $links"
if [ -d /run/systemd/system ]; then
    [ "$(systemctl is-active kiemd.service || true)" != active ] || fail "kiemd.service is active"
fi
for process in /proc/[0-9]*; do
    [ "$(readlink "$process/exe" 2>/dev/null)" != /usr/sbin/kiemd ] || fail "kiemd runs as process ${process#/proc/}"
done
echo "kiemd.service: $enabled, not running"

step "kiemd runs from the package as kiem, and kiemctl doctor finds it healthy"
# Without systemd (CI has none running), as the unit would run it: user kiem,
# the conffile, /var/lib/kiem; on a free loopback port, metrics off.
sed -i -e '/^\[metrics\]/,/^\[/ s/^enabled = true/enabled = false/' /etc/kiem/kiemd.toml
setpriv --reuid=kiem --regid=kiem --init-groups -- /usr/sbin/kiemd --config /etc/kiem/kiemd.toml \
    --listen 127.0.0.1:0 > "$scratch/kiemd.log" 2>&1 &
kiemd=$!
deadline=$((SECONDS + 60))
until setpriv --reuid=kiem --regid=kiem --init-groups -- /usr/bin/kiemctl status > /dev/null 2>&1; do
    kill -0 "$kiemd" 2>/dev/null || fail "kiemd exited: $(cat "$scratch/kiemd.log")"
    [ "$SECONDS" -lt "$deadline" ] || { kill "$kiemd"; fail "kiemd did not answer on its control socket within 60 s: $(cat "$scratch/kiemd.log")"; }
    sleep 0.2
done
status=0
setpriv --reuid=kiem --regid=kiem --init-groups -- /usr/bin/kiemctl doctor > "$scratch/doctor.txt" 2>&1 || status=$?
cat "$scratch/doctor.txt"
kill -TERM "$kiemd"
stopped=0
wait "$kiemd" || stopped=$?
[ "$status" -eq 0 ] || fail "kiemctl doctor exited $status"
grep -q '^ok    control socket  /var/lib/kiem/kiemd.sock: uwv-1 answers' "$scratch/doctor.txt" || fail "doctor did not reach kiemd"
[ "$stopped" -eq 0 ] || fail "kiemd exited $stopped after SIGTERM: $(tail -5 "$scratch/kiemd.log")"
[ -s /var/lib/kiem/kiem.sqlite ] || fail "kiemd left no replica in /var/lib/kiem"

step "remove (dpkg -r): programs go, configuration, replica and user stay"
dpkg -r kiem > /dev/null
for file in /usr/sbin/kiemd /usr/bin/kiemctl /lib/systemd/system/kiemd.service; do
    [ ! -e "$file" ] || fail "$file is still there after dpkg -r"
done
[ -f /etc/kiem/kiemd.toml ] && [ -f /etc/kiem/tls/node.key ] && [ -f /var/lib/kiem/kiem.sqlite ] || fail "dpkg -r removed configuration or state"
getent passwd kiem >/dev/null || fail "dpkg -r removed the user kiem"

step "purge (dpkg -P): nothing left"
dpkg -P kiem > /dev/null
installed=no
dpkg-query -W -f='${Status}' kiem 2>/dev/null | grep -q 'installed\|config-files' && fail "dpkg still knows kiem"
for path in /etc/kiem /var/lib/kiem /usr/share/doc/kiem; do
    [ ! -e "$path" ] || fail "$path is still there after the purge"
done
getent passwd kiem >/dev/null && fail "the user kiem is still there after the purge"
getent group kiem >/dev/null && fail "the group kiem is still there after the purge"
echo "check-package: passed in $((SECONDS - started)) s ($(sed -n 's/.*(\(.*\), \(.*\) build)$/\1, \2 build/p' "$scratch/build.txt"))"
