"""``elscint demo``: generate a sample Gemini PET/CT study, convert it, show where to look."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from elscint_codec.cli import (
    add_command,
    add_jobs_option,
    add_logging_options,
    logging_session,
    print_outputs,
)
from elscint_codec.converter.options import EXIT_FATAL, EXIT_USAGE

__all__ = ["DEFAULT_FOLDER", "add_parser", "run"]

DEFAULT_FOLDER = "elscint-demo"

SUMMARY = "generate a sample study and convert it"
DESCRIPTION = """\
Write a synthetic Philips GEMINI TF PET/CT study (CT, PET and a fused colour
capture, all Elscint-compressed, patient 'PHANTOM^...') to FOLDER/input,
convert it to standard DICOM in FOLDER/output and print where to look. Safe
to run again: existing files are replaced, nothing outside FOLDER is touched."""

EPILOG = """\
examples:
  elscint demo
  elscint demo /tmp/try --ct-slices 60 --pet-slices 30

then open FOLDER/output in 3D Slicer (DICOM module, Import) or look at
the PNG files in FOLDER/output/previews."""


def add_parser(subparsers: Any) -> None:
    """Add ``demo`` to ``subparsers``."""
    parser = add_command(
        subparsers, "demo", run, summary=SUMMARY, description=DESCRIPTION, epilog=EPILOG
    )
    parser.add_argument(
        "folder", nargs="?", default=DEFAULT_FOLDER, metavar="FOLDER", help="demo folder"
    )
    parser.add_argument("--seed", type=int, default=0, help="another seed, another patient")
    parser.add_argument("--ct-slices", type=int, default=16, metavar="N", help="CT slices")
    parser.add_argument("--pet-slices", type=int, default=16, metavar="N", help="PET slices")
    add_jobs_option(parser)
    add_logging_options(parser, log_file=False)


def run(args: argparse.Namespace) -> int:
    """Run ``elscint demo``; return the exit code."""
    from elscint_codec.converter import ConvertOptions, convert
    from elscint_codec.samples import write_study

    if min(args.ct_slices, args.pet_slices) < 0 or args.jobs < 1:
        print("elscint demo: error: slice counts must be >= 0 and --jobs >= 1", file=sys.stderr)
        return EXIT_USAGE
    folder = Path(args.folder)
    source, output = folder / "input", folder / "output"
    with logging_session(args):
        try:
            files = write_study(
                source, seed=args.seed, ct_slices=args.ct_slices, pet_slices=args.pet_slices
            )
        except OSError as exc:
            print(f"elscint demo: error: cannot write {source}: {exc.strerror}", file=sys.stderr)
            return EXIT_FATAL
        except ValueError as exc:
            print(f"elscint demo: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not args.quiet:
            print(f"wrote {len(files)} Elscint-compressed sample files to {source}:")
            for line in _describe_series(files):
                print(f"  {line}")
        options = ConvertOptions(jobs=args.jobs, overwrite=True, verify=True, suv=True)
        summary = convert([source], output, options=options)
    if summary.fatal:
        print(f"elscint demo: error: {summary.fatal}", file=sys.stderr)
        return summary.exit_code
    if not args.quiet:
        print(summary.line())
        print(f"standard DICOM: {output}")
        print_outputs(summary, label_width=len("standard DICOM:"))
        print(f"next: open {output} in 3D Slicer (DICOM module, Import), or try")
        print(f"      elscint info {source}")
    return summary.exit_code


def _describe_series(files: list[Path]) -> list[str]:
    """Return one line per series of ``files``: folder, count, what the headers say."""
    from pydicom import dcmread

    from elscint_codec.dicom import compression_type

    series: dict[str, list[Path]] = {}
    for path in files:
        series.setdefault(path.parent.name, []).append(path)
    lines = []
    for name, paths in sorted(series.items()):
        ds = dcmread(paths[0], stop_before_pixels=True)
        size = f"{ds.Rows} x {ds.Columns}"
        what = f"{ds.get('Modality', '?')} {ds.get('SeriesDescription', '')}".strip()
        lines.append(f"{name}/: {len(paths)} file(s), {what}, {size}, {compression_type(ds)}")
    return lines
