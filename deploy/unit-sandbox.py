#!/usr/bin/env python3
"""kiemd.service's system-call sandbox, without systemd.

  unit-sandbox.py run UNIT -- COMMAND...
      Runs COMMAND under the seccomp filter that UNIT's SystemCallFilter,
      SystemCallErrorNumber, RestrictAddressFamilies and
      MemoryDenyWriteExecute describe (with
      no_new_privs, as NoNewPrivileges=yes): allowed calls run, the others
      fail with the unit's errno, and socket() accepts only the unit's
      address families. Needs python3-seccomp.
  unit-sandbox.py check TRACE UNIT
      Reads an `strace -f` log of such a run and reports, from the exec of
      kiemd on, the calls and socket families the filter refused and any
      /proc file hidden by ProcSubset=pid. Exits 0: whether kiemd worked
      anyway is for the caller to check (deploy/check-syscalls.sh does).

The groups (@system-service, ...) are expanded with `systemd-analyze
syscall-filter`, so the filter is the one this machine's systemd would build.
"""
import errno
import mmap
import os
import re
import socket
import subprocess
import sys


def groups():
    """Every @group systemd knows, with its members (nested groups unexpanded)."""
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


def sandbox(unit):
    """(allowed calls, errno name, address families, ProcSubset=pid,
    MemoryDenyWriteExecute) as the unit says."""
    known = groups()
    allowed, denied, families, error, pid_only, no_wx = set(), set(), set(), "EPERM", False, False
    for line in open(unit).read().splitlines():
        key, _, value = line.partition("=")
        if key == "SystemCallFilter":
            if value.startswith("~"):
                denied |= expand(value[1:].split(), known)
            else:
                allowed |= expand(value.split(), known)
        elif key == "SystemCallErrorNumber":
            error = value
        elif key == "RestrictAddressFamilies":
            families |= set(value.split())
        elif key == "ProcSubset":
            pid_only = value == "pid"
        elif key == "MemoryDenyWriteExecute":
            no_wx = value == "yes"
    return allowed - denied, error, families, pid_only, no_wx


def run(unit, command):
    import seccomp

    allowed, error, families, _, no_wx = sandbox(unit)
    rules = seccomp.SyscallFilter(defaction=seccomp.ERRNO(getattr(errno, error)))
    # MemoryDenyWriteExecute, as systemd builds it: no mapping both writable
    # and executable, no mprotect to executable, no executable shared memory.
    guarded = {"mmap", "mprotect", "pkey_mprotect", "shmat"} if no_wx else set()
    if no_wx:
        wx = mmap.PROT_WRITE | mmap.PROT_EXEC
        for prot in (0, mmap.PROT_WRITE, mmap.PROT_EXEC):
            rules.add_rule(seccomp.ALLOW, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, wx, prot))
        for name in ("mprotect", "pkey_mprotect"):
            rules.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, mmap.PROT_EXEC, 0))
        rules.add_rule(seccomp.ALLOW, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, 0o100000, 0))  # SHM_EXEC
    for name in sorted(allowed - {"socket"} - guarded):
        try:
            rules.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError, OSError):
            pass  # a call this architecture does not have
    if "socket" in allowed:
        for family in families:
            rules.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, getattr(socket, family)))
    rules.load()
    os.execvp(command[0], command)


def check(trace, unit):
    allowed, error, families, pid_only, no_wx = sandbox(unit)
    lines = open(trace, errors="replace").read().splitlines()
    start = next((i for i, line in enumerate(lines) if re.search(r'execve\("[^"]*/kiemd"', line)), None)
    if start is None:
        sys.exit(f"{trace}: no exec of kiemd")
    calls, refused, used_families, hidden, writable_executable = {}, {}, set(), set(), set()
    call = re.compile(r"^\d+\s+([a-z_0-9]+)\(")
    for line in lines[start:]:
        match = call.match(line)
        if match:
            calls[match.group(1)] = calls.get(match.group(1), 0) + 1
            if match.group(1) not in allowed:
                refused[match.group(1)] = refused.get(match.group(1), 0) + 1
        if no_wx and re.match(r"^\d+\s+(mmap|mprotect|pkey_mprotect)\(.*PROT_EXEC", line) and (
                "PROT_WRITE" in line or not line.split()[1].startswith("mmap")):
            writable_executable.add(line.split("(")[0].split()[-1])
        family = re.search(r"\bsocket\((AF_[A-Z0-9]+)", line)
        if family:
            used_families.add(family.group(1))
        opened = re.search(r'\bopen(?:at)?\((?:AT_FDCWD, )?"(/proc/[^"]*)"', line)
        if pid_only and opened and not re.match(r"/proc/(self|thread-self|\d+)(/|$)", opened.group(1)):
            hidden.add(opened.group(1))
    print(f"kiemd made {sum(calls.values())} system calls of {len(calls)} kinds; "
          f"socket families {', '.join(sorted(used_families))}")
    for name, count in sorted(refused.items()):
        print(f"  refused by SystemCallFilter ({error}): {name}, {count} calls")
    for family in sorted(used_families - families):
        print(f"  refused by RestrictAddressFamilies: socket({family})")
    for path in sorted(hidden):
        print(f"  hidden by ProcSubset=pid: {path}")
    for name in sorted(writable_executable):
        print(f"  refused by MemoryDenyWriteExecute: {name} of writable-executable memory")
    if not refused and used_families <= families and not hidden and not writable_executable:
        print("  nothing refused")


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[1] == "run" and sys.argv[3] == "--":
        run(sys.argv[2], sys.argv[4:])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
