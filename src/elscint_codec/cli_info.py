"""``elscint info``: what the sources hold, without writing anything."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from elscint_codec.cli import (
    add_command,
    add_jobs_option,
    add_logging_options,
    add_sources,
    logging_session,
)
from elscint_codec.converter.options import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

__all__ = ["add_parser", "format_survey", "run"]

SUMMARY = "show what a folder, file or zip holds (writes nothing)"
DESCRIPTION = """\
Look at every file under SOURCE (folders, files, .zip archives) and say what
is there: Elscint-compressed, standard DICOM, DICOMDIR or not DICOM; patients,
studies and series with their file counts; compression types; damaged files
and variants that cannot be converted (multi-frame images, other bit depths,
unknown compression types), each with the reason. Elscint images are decoded
in memory to find damaged ones. Nothing is written."""

EPILOG = """\
examples:
  elscint info /media/cdrom
  elscint info study.zip --json > inventory.json

exit codes: 0 nothing wrong found, 1 damaged or unsupported files found,
            2 usage error, 130 interrupted"""


def add_parser(subparsers: Any) -> None:
    """Add ``info`` to ``subparsers``."""
    parser = add_command(
        subparsers, "info", run, summary=SUMMARY, description=DESCRIPTION, epilog=EPILOG
    )
    add_sources(parser)
    add_jobs_option(parser)
    parser.add_argument(
        "--json", action="store_true", help="print the findings as JSON instead of text"
    )
    add_logging_options(parser, log_file=False)


def format_survey(result: Any, out: TextIO) -> None:
    """Print a :class:`~elscint_codec.converter.survey.Survey` as readable text."""
    from elscint_codec.converter.survey import KINDS

    out.write(f"{result.files} file(s) looked at in {result.seconds:.1f} s\n")
    width = max(len(kind) for kind in KINDS)
    for kind in KINDS:
        if result.kinds[kind]:
            out.write(f"  {kind + ':':<{width + 1}} {result.kinds[kind]:>7}\n")
    if result.compression:
        types = ", ".join(f"{name} {n}" for name, n in sorted(result.compression.items()))
        out.write(f"  compression types: {types}\n")
    if result.patients:
        studies = sum(len(s) for s in result.patients.values())
        series = sum(len(v) for s in result.patients.values() for v in s.values())
        out.write(f"\n{len(result.patients)} patient(s), {studies} study(ies), {series} series:\n")
        for patient in sorted(result.patients):
            out.write(f"  {patient}\n")
            for (_uid, label), members in sorted(result.patients[patient].items()):
                out.write(f"    study {label or '(no date or description)'}\n")
                for count in sorted(members.values(), key=lambda c: c.label):
                    elscint = f", {count.elscint} Elscint" if count.elscint else ""
                    out.write(f"      {count.label or 'series'}: {count.files} file(s){elscint}\n")
    if result.unsupported:
        out.write("\nCannot be converted:\n")
        out.writelines(f"  {n} x {reason}\n" for reason, n in result.unsupported.most_common())
    if result.problems:
        out.write(f"\nProblems ({result.problem_count}):\n")
        for display, kind, detail in result.problems:
            out.write(f"  {display}: {kind}: {detail}\n")
        if result.problem_count > len(result.problems):
            out.write(f"  ... and {result.problem_count - len(result.problems)} more\n")
    if result.interrupted:
        out.write("\n(interrupted: the counts above are incomplete)\n")


def _as_json(result: Any) -> dict[str, Any]:
    return {
        "files": result.files,
        "kinds": dict(result.kinds),
        "compression_types": dict(result.compression),
        "unsupported": dict(result.unsupported),
        "problems": [
            {"input": display, "kind": kind, "reason": detail}
            for display, kind, detail in result.problems
        ],
        "problem_count": result.problem_count,
        "patients": [
            {
                "patient": patient,
                "studies": [
                    {
                        "study_instance_uid": uid,
                        "study": label,
                        "series": [
                            {
                                "series_instance_uid": s_uid,
                                "series": c.label,
                                "files": c.files,
                                "elscint": c.elscint,
                            }
                            for s_uid, c in sorted(members.items())
                        ],
                    }
                    for (uid, label), members in sorted(studies.items())
                ],
            }
            for patient, studies in sorted(result.patients.items())
        ],
        "interrupted": result.interrupted,
    }


def run(args: argparse.Namespace) -> int:
    """Run ``elscint info``; return the exit code."""
    from elscint_codec.converter.survey import survey

    if args.jobs < 1:
        print("elscint info: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    with logging_session(args):
        try:
            result = survey(args.sources, jobs=args.jobs)
        except ValueError as exc:
            print(f"elscint info: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.json:
        json.dump(_as_json(result), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        format_survey(result, sys.stdout)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if result.has_problems else EXIT_OK
