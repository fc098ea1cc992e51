"""``elscint convert``: Elscint files to standard DICOM, whole folder trees at once."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elscint_codec.cli import (
    add_command,
    add_jobs_option,
    add_logging_options,
    add_sources,
    logging_session,
    print_outputs,
)
from elscint_codec.converter.options import EXIT_USAGE, LAYOUTS, ConvertOptions, Progress, Summary

__all__ = ["add_parser", "run"]

SUMMARY = "convert Elscint files to standard DICOM"
DESCRIPTION = """\
Convert every Elscint-compressed file under SOURCE (folders, single files or
.zip archives; DICOM files are found by content, with or without extension)
into standard DICOM under OUTPUT: decoded pixels, Explicit VR Little Endian,
every other element kept byte for byte and every UID unchanged. Standard
DICOM files are copied unchanged; DICOMDIR and non-DICOM files are skipped
and listed. Input is never modified. Re-running the same command resumes an
interrupted run. A report (OUTPUT/elscint-report.csv and .json) lists every
input file, and OUTPUT/previews holds a PNG of the middle slice of each series."""

EPILOG = """\
examples:
  elscint convert /media/cdrom -o ~/converted
  elscint convert study.zip -o out                  zip read in place
  elscint convert a/ b/ -o out --layout series      out/a/..., out/b/... by patient/study/series
  elscint convert scans/ -o out --verify -j 4       check every written file, 4 processes
  elscint convert scans/ -o out --dry-run           show the plan, write nothing

paths: one SOURCE folder puts its contents directly under OUTPUT; several
sources, a zip or a single file go to OUTPUT/<source name>/...

exit codes:
  0    every file converted, copied or already done (skipped non-DICOM is fine)
  1    some inputs failed (see the report for the reason of each)
  2    usage error (bad option, missing SOURCE, OUTPUT inside a SOURCE)
  3    fatal: the output cannot be written (read-only, no permission, disk full)
  130  interrupted (Ctrl-C); files already written are complete, re-run to resume"""

_PLAN_VERBS = {
    "converted": "convert",
    "copied": "copy",
    "already done": "already done",
    "skipped": "skip",
    "failed": "fail",
}


def add_parser(subparsers: Any) -> None:
    """Add ``convert`` to ``subparsers``."""
    parser = add_command(
        subparsers, "convert", run, summary=SUMMARY, description=DESCRIPTION, epilog=EPILOG
    )
    add_sources(parser)
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUTPUT",
        default=argparse.SUPPRESS,
        help="output folder, created if needed; never inside a SOURCE",
    )
    add_jobs_option(parser, parse=_jobs, automatic=True)
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="mirror",
        help="mirror: same folders and file names as the input; series: "
        "patient/study/series/instance.dcm from the headers",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="redo files whose output already exists"
    )
    parser.add_argument(
        "--only-elscint",
        action="store_true",
        help="skip standard DICOM files instead of copying them",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="re-read every written file with plain pydicom and check its pixels",
    )
    parser.add_argument("--no-previews", action="store_true", help="do not write PNG previews")
    parser.add_argument(
        "--no-space-check",
        action="store_true",
        help="start even if the output disk seems too small",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be done; write nothing"
    )
    _add_extensions(parser)
    add_logging_options(parser)


def _add_extensions(parser: argparse.ArgumentParser) -> None:
    """Add the de-identification and SUV options (their modules are imported lazily)."""
    deid = parser.add_argument_group("de-identification (PS3.15)")
    deid.add_argument(
        "--deidentify",
        action="store_true",
        help="write de-identified files: pseudonymous folders and file names, new UIDs; "
        "reports and logs carry no input path or original UID",
    )
    deid.add_argument(
        "--profile",
        choices=("pet-safe", "basic"),
        default="pet-safe",
        help="de-identification preset (pet-safe keeps what SUV needs)",
    )
    deid.add_argument(
        "--key",
        metavar="KEYFILE",
        default=None,
        help="secret key for pseudonyms and UIDs, created if missing "
        "(default: a per-user key file)",
    )
    deid.add_argument(
        "--linkage",
        metavar="FILE",
        default=None,
        help="write the original -> pseudonym table to FILE, outside OUTPUT "
        "(default: no linkage file)",
    )
    suv = parser.add_argument_group("SUV (PET)")
    suv.add_argument(
        "--suv",
        action="store_true",
        help="also compute SUV factors of the PET series (OUTPUT/elscint-suv.csv and .json)",
    )
    suv.add_argument(
        "--rwvm",
        action="store_true",
        help="with --suv: write Real World Value Mapping objects so 3D Slicer shows SUV",
    )
    suv.add_argument(
        "--suv-series",
        action="store_true",
        help="with --suv: write a derived PET series in SUVbw units",
    )


def _extension_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the ConvertOptions fields for --deidentify and --suv (ValueError if unusable)."""
    extra: dict[str, Any] = {}
    if (args.rwvm or args.suv_series) and not args.suv:
        raise ValueError("--rwvm and --suv-series need --suv")
    if args.suv:
        extra.update(suv=True, rwvm=args.rwvm, suv_series=args.suv_series)
    if not args.deidentify:
        if args.key or args.linkage:
            raise ValueError("--key and --linkage need --deidentify")
        return extra
    try:
        from elscint_codec.deid import DeidOptions
    except ImportError as exc:
        raise ValueError(f"de-identification is not available here ({exc})") from None
    extra["deidentify"] = DeidOptions(
        profile=args.profile, key_path=args.key, linkage_path=args.linkage
    )
    return extra


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _print_plan(progress: Progress) -> None:
    verb = _PLAN_VERBS.get(progress.status, progress.status)
    target = f" -> {progress.output}" if progress.output else ""
    reason = f"  ({progress.reason})" if progress.reason else ""
    print(f"{verb:<13}{progress.path}{target}{reason}")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so that a stopped run still writes its report."""
    if not hasattr(signal, "SIGTERM") or sys.platform == "win32":
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_summary(summary: Summary, quiet: bool) -> None:
    if summary.fatal:
        print(f"elscint convert: error: {summary.fatal}", file=sys.stderr)
    if quiet:
        return
    print(summary.line())
    if summary.duplicates:
        print(f"{summary.duplicates} duplicate file(s) were written once (see the report)")
    print_outputs(summary)
    if summary.interrupted:
        print("interrupted: run the same command again to finish the rest")
    elif summary.failed:
        print("some files failed: the report says why for each one")


def run(args: argparse.Namespace) -> int:
    """Run ``elscint convert``; return the exit code."""
    from elscint_codec.converter import convert
    from elscint_codec.converter.progress import ProgressDisplay

    try:
        extra = _extension_options(args)
        options = ConvertOptions(
            jobs=args.jobs,
            layout=args.layout,
            overwrite=args.overwrite,
            only_elscint=args.only_elscint,
            verify=args.verify,
            previews=not args.no_previews,
            dry_run=args.dry_run,
            space_check=not args.no_space_check,
            **extra,
        )
    except ValueError as exc:
        print(f"elscint convert: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    display = None if args.quiet or args.dry_run else ProgressDisplay()
    on_progress = _print_plan if args.dry_run else display
    with logging_session(args), _terminate_as_interrupt():
        try:
            summary = convert(args.sources, args.output, options=options, on_progress=on_progress)
        except ValueError as exc:
            print(f"elscint convert: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        finally:
            if display is not None:
                display.close()
    _print_summary(summary, args.quiet)
    return summary.exit_code
