"""Print the codec benchmark figures as ratios to the baselines of the same run.

Usage::

    python -m pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json [--stat min|median|mean]

For each group, every role is compared with the baselines measured in the
same run: ``two-pass-c / x`` (the speed-up over the straightforward C
decoder; the goal is at least 2), ``x / numpy-copy`` (how many times the
memory floor) and ``reference / x`` (the speed-up over pure Python).  Thread
groups give ``threads-1 / threads-2``.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

DECODERS = ("elscint", "elscint-kernel", "two-pass-c")


def _times(benchmarks: list[dict[str, Any]], stat: str) -> dict[str, dict[str, float]]:
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for bench in benchmarks:
        role = bench.get("extra_info", {}).get("role")
        if role is not None:
            groups[bench["group"] or bench["name"]][role] = bench["stats"][stat]
    return groups


def _facts(benchmarks: list[dict[str, Any]]) -> dict[str, str]:
    facts: dict[str, str] = {}
    for bench in benchmarks:
        info = bench.get("extra_info", {})
        if "pixels_per_escape" in info:
            facts[bench["group"]] = (
                f"{info['stream_bytes']} bytes ({info['bytes_per_pixel']} per pixel), "
                f"an escape every {info['pixels_per_escape']} pixels, from {info['source']}"
            )
    return facts


def report(data: dict[str, Any], stat: str = "min") -> list[str]:
    """Return the report lines for a pytest-benchmark JSON document."""
    benchmarks = data["benchmarks"]
    cpu = data["machine_info"].get("cpu", {})
    machine = f"{cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} CPUs"
    lines = [f"statistic: {stat} per call; machine: {machine}"]
    facts = _facts(benchmarks)
    for group, times in sorted(_times(benchmarks, stat).items()):
        lines.append(f"\n[{group}]")
        if group in facts:
            lines.append(f"  stream: {facts[group]}")
        for role, seconds in sorted(times.items(), key=lambda item: item[1]):
            lines.append(f"  {role:<15} {seconds * 1e6:12.1f} us")
        for role in DECODERS:
            if role not in times:
                continue
            t = times[role]
            parts = []
            if "two-pass-c" in times and role != "two-pass-c":
                parts.append(f"{times['two-pass-c'] / t:.2f}x faster than two-pass C")
            if "numpy-copy" in times:
                parts.append(f"{t / times['numpy-copy']:.1f}x the numpy copy")
            if "reference" in times:
                parts.append(f"{times['reference'] / t:.0f}x faster than pure Python")
            lines.append(f"  {role}: " + "; ".join(parts))
        if "threads-1" in times and "threads-2" in times:
            lines.append(f"  2-thread speed-up: {times['threads-1'] / times['threads-2']:.2f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the report for a benchmark JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_file", type=Path)
    parser.add_argument("--stat", choices=("min", "median", "mean"), default="min")
    args = parser.parse_args(argv)
    data = json.loads(args.json_file.read_text(encoding="utf-8"))
    print("\n".join(report(data, args.stat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
