"""``elscint suv``: SUV factors of the PET series in files or folders."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from elscint_codec.cli import add_command, add_sources, is_inside

__all__ = ["add_parser", "run"]

SUMMARY = "compute SUV factors of PET series"
DESCRIPTION = """\
Find the PET series in SOURCE files or folders (Elscint-compressed or standard
DICOM), compute the factors that turn their pixel values into standardised
uptake values (SUVbw, SUL by three lean-body-mass formulas, SUVbsa, SUVibw)
and print how each was obtained, or why it cannot be. Only headers are read;
nothing is ever written into a SOURCE."""

EPILOG = """\
output files (only with -o OUT):
  OUT/elscint-suv.json, OUT/elscint-suv.csv   always
  OUT/rwvm/RWV_*.dcm                          with --rwvm (3D Slicer PET extension)
  OUT/suv-series/SUVbw_*/IM_*.dcm             with --suv-series

exit codes:
  0  SUV computed for every PET series
  1  some series refused (headers do not allow SUV) or an output failed
  2  usage error
  3  fatal: no PET series found, or OUT cannot be written"""


def add_parser(subparsers: Any) -> None:
    """Add the ``suv`` subcommand to an argparse subparsers object."""
    parser = add_command(
        subparsers,
        "suv",
        run,
        summary=SUMMARY,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(parser, help_text="DICOM file or folder")
    parser.add_argument(
        "-o", "--output", metavar="OUT", type=Path, default=None,
        help="folder for the JSON/CSV report and optional objects (default: none, print only)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=("table", "json", "csv"), default="table",
        help="what to print on standard output (default: table)",
    )  # fmt: skip
    parser.add_argument(
        "--rwvm", action="store_true",
        help="write a Real World Value Mapping object per PET series into OUT/rwvm "
        "so that 3D Slicer shows SUV (needs -o; default: off)",
    )  # fmt: skip
    parser.add_argument(
        "--suv-series", action="store_true",
        help="write a derived PET series in SUVbw units into OUT/suv-series "
        "(needs -o; default: off)",
    )  # fmt: skip


def _usage(message: str) -> int:
    print(f"elscint suv: error: {message}", file=sys.stderr)
    return 2


def _check(args: argparse.Namespace) -> int | None:
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.exists():
            return _usage(f"{source}: no such file or folder")
    if (args.rwvm or args.suv_series) and args.output is None:
        return _usage("--rwvm and --suv-series write files: give an output folder with -o OUT")
    if args.output is None:
        return None
    out = args.output.resolve()
    for source in sources:
        if source.is_dir() and is_inside(out, source.resolve()):
            return _usage(f"OUT {args.output} is inside SOURCE {source}; nothing may be "
                          "written into a source")  # fmt: skip
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        print(f"elscint suv: cannot write to {args.output}: {exc.strerror or exc}",
              file=sys.stderr)  # fmt: skip
        return 3
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``elscint suv`` with parsed arguments; return the exit code."""
    from elscint_codec.suv.output import csv_text, format_table, result_dict
    from elscint_codec.suv.report import suv_report

    problem = _check(args)
    if problem is not None:
        return problem
    try:
        results = suv_report(args.sources, args.output, rwvm=args.rwvm, suv_series=args.suv_series)
    except OSError as exc:
        print(f"elscint suv: {exc}", file=sys.stderr)
        return 3
    if not results:
        print("elscint suv: no PET series found in the sources", file=sys.stderr)
        return 3
    if args.format == "table":
        sys.stdout.write(format_table(results))
    elif args.format == "json":
        root = None if args.output is None else Path(args.output)
        document = [result_dict(r, root) for r in results]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(csv_text(results, root=args.output))
    computed = sum(r.ok for r in results)
    refused = sum(r.status == "refused" for r in results)
    failed = len(results) - computed - refused
    summary = f"{len(results)} PET series: {computed} computed, {refused} refused, {failed} failed"
    if args.output is not None:
        summary += f"; report in {Path(args.output) / 'elscint-suv.json'}"
    print(summary, file=sys.stderr if args.format != "table" else sys.stdout)
    return 0 if computed == len(results) else 1
