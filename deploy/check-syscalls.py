#!/usr/bin/env python3
"""Checks that what kiemd did under strace fits kiemd.service's sandbox.

Reads an `strace -f` log (one call a line, as `strace -f -o FILE` writes it),
and checks every system call against the unit's SystemCallFilter (expanded
with `systemd-analyze syscall-filter`) and every socket() address family
against its RestrictAddressFamilies, and, with ProcSubset=pid, that nothing
opened a /proc file other than a process's own. Usage:
  check-syscalls.py STRACE_LOG [deploy/kiemd.service]
deploy/check-syscalls.sh makes the log from a running federation.
"""
import pathlib
import re
import subprocess
import sys

log = pathlib.Path(sys.argv[1])
unit = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else pathlib.Path(__file__).parent / "kiemd.service")


def groups():
    """Every @group systemd knows, with its members (groups left nested)."""
    text = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], check=True,
                          capture_output=True, text=True).stdout
    found, current = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            current = found.setdefault(line.strip(), set())
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.add(line.strip())
    return found


def expand(names, known):
    calls = set()
    for name in names:
        calls |= expand(known[name], known) if name.startswith("@") else {name}
    return calls


known = groups()
allowed, denied = set(), set()
families = set()
for line in unit.read_text().splitlines():
    key, _, value = line.partition("=")
    if key == "SystemCallFilter":
        if value.startswith("~"):
            denied |= expand(value[1:].split(), known)
        else:
            allowed |= expand(value.split(), known)
    elif key == "RestrictAddressFamilies":
        families |= set(value.split())

proc_pid_only = "ProcSubset=pid" in unit.read_text().splitlines()
calls, used_families, proc_files = {}, set(), set()
call = re.compile(r"^(?:\[pid\s+)?\d+\]?\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]")
for line in log.read_text(errors="replace").splitlines():
    match = call.match(line)
    if match and "resumed>" not in line.split("(")[0]:
        calls[match.group(1)] = calls.get(match.group(1), 0) + 1
    family = re.search(r"\bsocket\((AF_[A-Z0-9]+)", line)
    if family:
        used_families.add(family.group(1))
    opened = re.search(r'\bopen(?:at)?\((?:AT_FDCWD, )?"(/proc/[^"]*)"', line)
    if opened and not re.match(r"/proc/(self|thread-self|\d+)(/|$)", opened.group(1)):
        proc_files.add(opened.group(1))

refused = sorted(name for name in calls if name not in allowed or name in denied)
foreign = sorted(used_families - families)
hidden = sorted(proc_files) if proc_pid_only else []
print(f"{len(calls)} distinct system calls, address families {', '.join(sorted(used_families))}")
for name in refused:
    print(f"refused by SystemCallFilter: {name} ({calls[name]} calls)", file=sys.stderr)
for family in foreign:
    print(f"refused by RestrictAddressFamilies: {family}", file=sys.stderr)
for path in hidden:
    print(f"hidden by ProcSubset=pid: {path}", file=sys.stderr)
if not refused and not foreign and not hidden:
    print("every call, address family and /proc file is allowed by the unit")
sys.exit(1 if refused or foreign or hidden else 0)
