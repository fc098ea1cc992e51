"""Compare two builds of the converter (and dcm2niix) on the same series, rounds interleaved.

Usage::

    git worktree add /tmp/before COMMIT && (cd /tmp/before && python setup.py build_ext --inplace)
    python benchmarks/before_after.py /tmp/before/src SERIES... [--rounds 7]
    # two option sets of this checkout: "after" adds the given arguments
    python benchmarks/before_after.py src SERIES... --after-args=--no-previews

Every round runs, pinned to one CPU, ``elscint convert SERIES -o OUT -j 1
-q`` with the ``before`` tree first on ``PYTHONPATH``, the same with this
checkout, and ``dcm2niix -o OUT SERIES``, in an order that rotates from round
to round, each into an emptied and flushed output folder (``--after-args`` adds
arguments to the ``after`` command only).  Prints the best
and the median wall time of each, and the ratios.  Both trees are compiled to
bytecode first, as ``pip install`` does.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from convert_support import clear_folder, run_measured

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from nifti_support import dcm2niix_program


def commands(
    before: Path, series: Path, output: Path, after_args: list[str] | None = None
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """The three commands, with the environment each runs in."""
    convert = [sys.executable, "-m", "elscint_codec", "convert", str(series), "-o", str(output)]
    convert += ["-j", "1", "-q"]
    old = {**os.environ, "PYTHONPATH": str(before)}
    return {
        "before": (convert, old),
        "after": ([*convert, *(after_args or [])], dict(os.environ)),
        "dcm2niix": ([dcm2niix_program(), "-o", str(output), str(series)], dict(os.environ)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the src folder of the other build")
    parser.add_argument("series", type=Path, nargs="+", help="folders of Elscint files")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=min(os.sched_getaffinity(0)))
    parser.add_argument(
        "--after-args", default="", help="more `elscint convert` arguments for 'after' only"
    )
    args = parser.parse_args()
    compileall.compile_dir(args.before, quiet=1)
    compileall.compile_dir(HERE.parent / "src", quiet=1)
    with tempfile.TemporaryDirectory(prefix="elscint-before-after-") as folder:
        output = Path(folder, "out")
        for series in args.series:
            runs: dict[str, list[float]] = {}
            tools = commands(args.before, series, output, shlex.split(args.after_args))
            names = list(tools)
            for turn in range(args.rounds + 1):  # the first round warms up
                for name in names[turn % 3 :] + names[: turn % 3]:
                    command, environment = tools[name]
                    clear_folder(output)
                    wall = run_measured(command, cpu=args.cpu, env=environment).wall
                    if turn:
                        runs.setdefault(name, []).append(wall)
            files = sum(1 for path in series.iterdir() if path.is_file())
            print(f"{series} ({files} files), best / median of {args.rounds} rounds:")
            for name, walls in runs.items():
                print(f"  {name:9s} {min(walls):.3f} s / {statistics.median(walls):.3f} s")
            best = {name: min(walls) for name, walls in runs.items()}
            print(
                f"  after vs before: {best['before'] / best['after']:.2f}x faster; "
                f"after / dcm2niix, files per second: {best['dcm2niix'] / best['after']:.2f}"
            )


if __name__ == "__main__":
    main()
