#!/usr/bin/env python3
"""Checks the container files without a container engine.

compose.yaml and the other YAML files parse; every file compose.yaml mounts
or builds from exists; every node's --config names a file in config/; the
Dockerfile copies only files that exist, runs as a non-root user and checks
/readyz. Usage: check-container.py (exit 0 if all hold).
"""
import pathlib
import re
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
problems = []


def check(condition, problem):
    if not condition:
        problems.append(problem)


def check_compose():
    compose = yaml.safe_load((HERE / "compose.yaml").read_text())
    services = compose["services"]
    for name in ["pki", "uwv", "svb", "rws", "regie", "prometheus", "grafana"]:
        check(name in services, f"compose.yaml: no service {name}")
    for name, service in services.items():
        build = service.get("build")
        if build:
            context = (HERE / build["context"]).resolve()
            check((context / build["dockerfile"]).is_file(), f"compose.yaml: {name}: no {build['dockerfile']} in {context}")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                check((HERE / source).exists(), f"compose.yaml: {name}: {source} does not exist")
            else:
                check(source in compose.get("volumes", {}), f"compose.yaml: {name}: volume {source} is not declared")
        command = service.get("command", [])
        if "--config" in command:
            config = command[command.index("--config") + 1]
            check(config.startswith("/etc/kiem/") and (HERE / "config" / config.removeprefix("/etc/kiem/")).is_file(),
                  f"compose.yaml: {name}: {config} is not a file in config/")
    print(f"compose.yaml: {len(services)} services")


def check_dockerfile():
    lines = (HERE / "Dockerfile").read_text().splitlines()
    stages = [line for line in lines if line.startswith("FROM ")]
    check(len(stages) >= 2, "Dockerfile: not multi-stage")
    copied = 0
    for line in lines:
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                copied += 1
                check((ROOT / source).exists(), f"Dockerfile: COPY {source}: no such file in the repository")
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    check(users and users[-1] not in ("root", "0"), "Dockerfile: the image does not run as a non-root user")
    health = "\n".join(lines)
    check(re.search(r"HEALTHCHECK[^\n]*\\?\n?[^\n]*/readyz", health) is not None, "Dockerfile: no HEALTHCHECK on /readyz")
    print(f"Dockerfile: {len(stages)} stages, {copied} copied paths, user {users[-1] if users else '?'}")


def check_yaml():
    for path in sorted(HERE.rglob("*.y*ml")):
        yaml.safe_load(path.read_text())
    print("YAML files: all parse")


check_compose()
check_dockerfile()
check_yaml()
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
