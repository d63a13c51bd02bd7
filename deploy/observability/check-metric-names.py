#!/usr/bin/env python3
"""Checks that the dashboard and the alert rules use only metrics kiemd exports.

The exported names are the `label: "kiem_..."` strings in Sources/KiemNode
(swift-metrics counters, gauges and timers; a timer is a histogram with
_bucket, _sum and _count series).
Usage: check-metric-names.py  (from anywhere; exit 0 if all names are known)
"""
import json
import pathlib
import re
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NAME = re.compile(r"\bkiem_[a-z0-9_]+")


def exported():
    names = set()
    for source in (ROOT / "Sources" / "KiemNode").rglob("*.swift"):
        names |= set(re.findall(r'label:\s*"(kiem_[a-z0-9_]+)"', source.read_text()))
    return names


def known(name, names):
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    return name in names or base in names


def dashboard_expressions(path):
    panels = json.loads(path.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def rule_expressions(path):
    groups = yaml.safe_load(path.read_text())["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def main():
    names = exported()
    if not names:
        sys.exit("no metric names found in Sources/KiemNode")
    print(f"kiemd exports {len(names)} metrics: {', '.join(sorted(names))}")
    problems = []
    checks = [
        ("kiem-dashboard.json", dashboard_expressions(HERE / "kiem-dashboard.json")),
        ("kiem-alerts.yml", rule_expressions(HERE / "kiem-alerts.yml")),
    ]
    for file, expressions in checks:
        used = {name for expression in expressions for name in NAME.findall(expression)}
        unknown = sorted(name for name in used if not known(name, names))
        problems += [f"{file}: {name} is not a metric kiemd exports" for name in unknown]
        print(f"{file}: {len(expressions)} expressions, {len(used)} kiem metrics, {len(unknown)} unknown")
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
