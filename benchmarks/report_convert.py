"""Print the converter benchmark as files per second and ratios to dcm2niix.

Usage::

    python -m pytest benchmarks/test_bench_convert.py --benchmark-json=convert.json
    python benchmarks/report_convert.py convert.json

For each series: every tool's wall time, files per second (wall and CPU) and
peak memory of its largest process; then ``elscint -j 1`` (with and without
previews) against dcm2niix on one core (files per second, > 1 means faster),
the scaling from ``-j 1`` to ``-j 2``, and the files per second once started
(the slope between the 300- and the 1200-file series of each modality).  ``--stat min`` (default) takes the best of
the rounds, the least disturbed by other work on the machine; ``--stat
median`` the median.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

#: The base install's conversion (no Pillow, so no previews).
_BASE = "elscint -j 1 --no-previews"


def report(data: dict[str, Any], stat: str = "min") -> list[str]:
    """Return the report lines for a pytest-benchmark JSON document of the converter."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for bench in data["benchmarks"]:
        tools = bench.get("extra_info", {}).get("tools", {})
        if tools:
            groups[bench["group"]] = tools
    cpu = data.get("machine_info", {}).get("cpu", {}).get("brand_raw", "unknown CPU")
    lines = [f"machine: {cpu}; statistic: {stat} of the rounds"]
    wall, cpu_time = f"wall_s_{stat}", f"cpu_s_{stat}"
    for group, roles in sorted(groups.items()):
        lines.append(f"\n{group}")
        for role, info in roles.items():
            lines.append(
                f"  {role:14s} {info[wall]:7.3f} s  {info['files'] / info[wall]:7.1f} files/s "
                f"(CPU {info[cpu_time]:.3f} s, {info['files'] / info[cpu_time]:.1f} files/s)  "
                f"peak {info['max_rss_mb']:.0f} MB"
            )
        one, other, two = (
            roles.get("elscint -j 1"),
            roles.get("dcm2niix"),
            roles.get("elscint -j 2"),
        )
        for name in ("elscint -j 1", _BASE):
            mine = roles.get(name)
            if mine and other:
                lines.append(
                    f"  {name} / dcm2niix, files per second: {other[wall] / mine[wall]:.2f} "
                    f"(wall), {other[cpu_time] / mine[cpu_time]:.2f} (CPU)"
                )
        if one and two:
            lines.append(f"  -j 2 / -j 1 speed-up: {one[wall] / two[wall]:.2f}")
    lines.extend(_marginal(groups, wall))
    return lines


def _marginal(groups: dict[str, dict[str, dict[str, Any]]], wall: str) -> list[str]:
    """Files per second once started: the slope between a short and a long series."""
    lines: list[str] = []
    for modality in ("CT", "PT"):
        series = sorted(
            (group for group in groups if group.startswith(f"convert {modality} ")),
            key=lambda group: int(group.split()[2]),
        )
        if len(series) >= 2:
            lines.extend(_slope(groups[series[0]], groups[series[-1]], series, wall))
    return lines


def _slope(
    short: dict[str, dict[str, Any]], long: dict[str, dict[str, Any]], names: list[str], wall: str
) -> list[str]:
    lines = [f"\nonce started ({names[0]} -> {names[-1]}, the slope of time over files)"]
    rates: dict[str, float] = {}
    for role in short:
        if role not in long:
            continue
        files = long[role]["files"] - short[role]["files"]
        seconds = long[role][wall] - short[role][wall]
        start = short[role][wall] - short[role]["files"] * seconds / files
        rates[role] = files / seconds
        lines.append(
            f"  {role:14s} {rates[role]:7.1f} files/s, {1000 * seconds / files:.3f} ms per file; "
            f"fixed cost {1000 * start:.0f} ms"
        )
    lines.extend(
        f"  {name} / dcm2niix, files per second: {rates[name] / rates['dcm2niix']:.2f}"
        for name in ("elscint -j 1", _BASE)
        if name in rates and "dcm2niix" in rates
    )
    if "elscint -j 1" in rates and "elscint -j 2" in rates:
        lines.append(f"  -j 2 / -j 1: {rates['elscint -j 2'] / rates['elscint -j 1']:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", type=Path, help="pytest-benchmark JSON output")
    parser.add_argument("--stat", choices=["min", "median"], default="min")
    args = parser.parse_args()
    data = json.loads(args.json.read_text(encoding="utf-8"))
    print("\n".join(report(data, args.stat)))


if __name__ == "__main__":
    main()
