"""``elscint deid``: de-identify standard DICOM files into a pseudonymised folder tree.

Inputs are only read. Each output file is written to a temporary name in its target
folder and renamed into place. Folder and file names, the report
(``OUTPUT/elscint-deid-report.csv`` and ``.json``) and the console carry no input
path, original UID or identifying value; only the optional linkage file does.

Exit codes: 0 done; 1 some inputs failed; 2 usage error; 3 fatal (nothing done).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from elscint_codec._version import __version__
from elscint_codec.atomic import dataset_bytes, write_bytes
from elscint_codec.cli import Formatter, add_command, add_sources, is_inside
from elscint_codec.constants import (
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
    PRIVATE_TRANSFER_SYNTAX,
    STREAM_OFFSET,
    TEMP_PREFIX,
)
from elscint_codec.deid import (
    PRESETS,
    Deidentifier,
    DeidOptions,
    ExcludedError,
    MappingError,
    default_key_path,
)
from elscint_codec.deid.linkage import write_linkage
from elscint_codec.errors import ElscintError

__all__ = ["add_parser", "main", "run"]

REPORT_NAME = "elscint-deid-report"
DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
SUMMARY = "de-identify DICOM files (PS3.15, PET-safe defaults)"
DESCRIPTION = """\
De-identify standard or Elscint-compressed DICOM files (PS3.15 Basic Profile with
options; the default pet-safe preset keeps what SUV and PET/CT fusion need) into
OUTPUT/<pseudonym>/<study>/<series>/<instance>.dcm. Inputs are never modified."""
EXAMPLES = """examples:
  elscint deid study/ -o anon/
  elscint deid study/ -o anon/ --key ~/secure/project.key --linkage ~/secure/link.csv
  elscint deid a/ b/ -o anon/ --option retain-modified-dates --no-option clean-descriptors
  elscint deid study/ -o anon/ --profile basic --dry-run

exit codes: 0 done, 1 some inputs failed, 2 usage error, 3 fatal (nothing done)"""


@dataclass
class Row:
    """One input file in the report (identified only by its position)."""

    index: int
    status: str
    detail: str = ""
    output: str = ""


def _configure(parser: argparse.ArgumentParser) -> None:
    add_sources(parser, help_text="files or folders (recursed)", parse=Path)
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="OUTPUT",
        help="output folder, not inside a SOURCE; created if needed",
    )
    parser.add_argument(
        "--profile", choices=sorted(PRESETS), default="pet-safe", help="preset of options"
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="ID",
        help="add a PS3.15 option (column id such as rtnUIDsOpt, or alias such as "
        "retain-uids); repeatable (default: the preset's options)",
    )
    parser.add_argument(
        "--no-option",
        action="append",
        default=[],
        metavar="ID",
        help="remove an option of the preset; repeatable (default: none)",
    )
    parser.add_argument(
        "--key",
        type=Path,
        default=None,
        metavar="KEYFILE",
        help=f"secret key file, created if missing (default: {default_key_path()})",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        default=None,
        metavar="CSV",
        help="CSV with patient_id,pseudonym_id[,pseudonym_name] instead of keyed pseudonyms "
        "(default: pseudonyms from the key)",
    )
    parser.add_argument(
        "--linkage",
        type=Path,
        default=None,
        metavar="FILE",
        help="write original -> pseudonym table here (mode 0600, outside OUTPUT) and "
        "FILE.files.csv with input paths (default: no linkage file)",
    )
    parser.add_argument(
        "--keep-burned-in",
        action="store_true",
        help="de-identify images that may show burned-in text instead of excluding them",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would be written; write nothing"
    )


def add_parser(subparsers: Any) -> None:
    """Add the ``deid`` subcommand to an ``argparse`` subparsers object."""
    parser = add_command(
        subparsers, "deid", run, summary=SUMMARY, description=DESCRIPTION, epilog=EXAMPLES
    )
    _configure(parser)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _check_paths(args: argparse.Namespace) -> str | None:
    output = args.output.resolve()
    for source in args.sources:
        if not source.exists():
            return f"SOURCE {source} does not exist"
        src = source.resolve()
        if src.is_dir() and is_inside(output, src):
            return f"OUTPUT {args.output} lies inside SOURCE {source}; choose another folder"
        if args.linkage is not None and src.is_dir() and is_inside(args.linkage.resolve(), src):
            return "the linkage file must not be written inside a SOURCE"
    for name, path in (("linkage file", args.linkage), ("key file", args.key)):
        if path is not None and is_inside(path.resolve(), output):
            return f"the {name} must not lie inside OUTPUT (it would travel with the data)"
    return None


def _walk(sources: Sequence[Path]) -> Iterator[Path]:
    for source in sources:
        if source.is_file():
            yield source
            continue
        for root, dirs, files in os.walk(source, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                yield Path(root) / name


def _write_atomic(target: Path, data: bytes) -> str:
    """Write ``data`` to ``target``; return the status."""
    if target.exists():
        if target.read_bytes() == data:
            return "already done"
        raise FileExistsError(
            "an output with the same new SOP Instance UID but different content exists "
            "(a different input with the same UID, or other options than before)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(target, data)
    return "deidentified"


def _needs_decompression(ds: Dataset) -> bool:
    meta = getattr(ds, "file_meta", None)
    if meta is not None and str(meta.get("TransferSyntaxUID", "")) == PRIVATE_TRANSFER_SYNTAX:
        return True
    if "PixelData" in ds:
        return False
    try:
        return STREAM_OFFSET in ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR)
    except (KeyError, ValueError):
        return False


def _decompress(ds: Dataset) -> None:
    try:
        from elscint_codec.dicom import decompress  # optional layer, imported lazily
    except ImportError as exc:
        raise ElscintError("Elscint-compressed input, but the decoder is not available") from exc
    decompress(ds)


def _process(deid: Deidentifier, path: Path, row: Row, output: Path, dry_run: bool) -> None:
    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError:
        row.status, row.detail = "skipped", "not a DICOM file"
        return
    except (OSError, ValueError, EOFError) as exc:
        row.status, row.detail = "failed", f"unreadable DICOM file ({type(exc).__name__})"
        return
    if str(ds.get("SOPClassUID", "")) == DICOMDIR_CLASS or "DirectoryRecordSequence" in ds:
        row.status, row.detail = "skipped", "DICOMDIR (not copied: it lists identifying values)"
        return
    try:
        if _needs_decompression(ds):
            _decompress(ds)
        clean = deid.deidentify(ds)
        parts = deid.output_components(clean)
        row.output = "/".join(parts)
        if dry_run:
            row.status = "would write"
            return
        row.status = _write_atomic(output.joinpath(*parts), dataset_bytes(clean))
    except ExcludedError as exc:
        row.status, row.detail = "excluded", exc.reason
    except (MappingError, FileExistsError) as exc:
        row.status, row.detail = "failed", str(exc)
    except ElscintError as exc:
        row.status, row.detail = "failed", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        # The message of an unknown error may quote values; report only its type.
        row.status, row.detail = "failed", f"unexpected {type(exc).__name__}"


def _remove_stale_temporaries(output: Path) -> None:
    for root, _dirs, files in os.walk(output):
        for name in files:
            if name.startswith(TEMP_PREFIX):
                (Path(root) / name).unlink(missing_ok=True)


def _write_reports(output: Path, deid: Deidentifier, rows: list[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["input", "status", "detail", "output"])
    writer.writerows([f"#{r.index:05d}", r.status, r.detail, r.output] for r in rows)
    (output / f"{REPORT_NAME}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    summary = {
        "tool": f"elscint-codec {__version__}",
        "profile": deid.options.profile,
        "options": sorted(deid.enabled),
        "description": deid.describe(),
        "counts": dict(Counter(r.status for r in rows)),
        "files": [vars(r) for r in rows],
    }
    text = json.dumps(summary, indent=1, ensure_ascii=False) + "\n"
    (output / f"{REPORT_NAME}.json").write_text(text, encoding="utf-8")


def _files_linkage(path: Path, inputs: list[Path], rows: list[Row], output: Path) -> None:
    target = path.with_name(path.name + ".files.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["input", "source_path", "status", "detail", "output_path"])
    for source, row in zip(inputs, rows, strict=True):
        out = str(output.joinpath(*row.output.split("/"))) if row.output else ""
        writer.writerow([f"#{row.index:05d}", str(source), row.status, row.detail, out])
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
    if os.name == "posix":
        os.chmod(target, 0o600)


def _make_deidentifier(args: argparse.Namespace) -> Deidentifier:
    key = args.key if args.key is not None else default_key_path()
    secret = None
    if args.dry_run and not key.exists():
        secret = secrets.token_bytes(32)
        _say(f"key file {key} does not exist; a dry run does not create it, so the names shown")
        _say("use a throw-away key and will differ from a real run")
    options = DeidOptions(
        profile=args.profile,
        enable=tuple(args.option),
        disable=tuple(args.no_option),
        key_path=args.key,
        mapping_csv=args.mapping,
        keep_burned_in=args.keep_burned_in,
        linkage_path=args.linkage,
        key_secret=secret,
    )
    deid = Deidentifier(options)
    if deid.key_file is not None:
        verb = "created new" if deid.key_file.created else "using"
        _say(f"{verb} key file {deid.key_file.path} (keep it private: it links pseudonyms)")
    return deid


def run(args: argparse.Namespace) -> int:
    """Run ``elscint deid`` with parsed arguments; return the exit code."""
    problem = _check_paths(args)
    if problem is not None:
        _say(f"elscint deid: error: {problem}")
        return 2
    try:
        deid = _make_deidentifier(args)
    except ValueError as exc:
        _say(f"elscint deid: error: {exc}")
        return 2
    except (OSError, MappingError) as exc:
        _say(f"elscint deid: fatal: {exc}")
        return 3
    inputs = list(_walk(args.sources))
    if not inputs:
        _say("elscint deid: fatal: no files found in the SOURCE arguments")
        return 3
    output: Path = args.output
    if not args.dry_run:
        try:
            output.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(output)
            probe = output / f"{TEMP_PREFIX}probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            _say(f"elscint deid: fatal: cannot write to OUTPUT {output} ({exc.strerror})")
            return 3
    _say(f"{len(inputs)} file(s); {deid.describe()}")
    rows: list[Row] = []
    try:
        for index, path in enumerate(inputs, start=1):
            row = Row(index, "failed")
            _process(deid, path, row, output, args.dry_run)
            rows.append(row)
            if args.dry_run:
                print(f"#{index:05d} {row.status} {row.output or row.detail}")
            elif row.status == "excluded":
                _say(f"#{index:05d} {row.detail}")
            elif row.status == "failed":
                _say(f"#{index:05d} failed: {row.detail}")
    except KeyboardInterrupt:
        _say("elscint deid: interrupted")
        return 130
    counts = Counter(r.status for r in rows)
    if not args.dry_run:
        _write_reports(output, deid, rows)
        if args.linkage is not None:
            write_linkage(args.linkage, deid.take_linkage())
            _files_linkage(args.linkage, inputs, rows, output.resolve())
    _say(", ".join(f"{status} {count}" for status, count in sorted(counts.items())))
    return 1 if counts.get("failed") else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``elscint deid`` on its own (e.g. ``python -m elscint_codec.cli_deid``)."""
    parser = argparse.ArgumentParser(
        prog="elscint deid",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=Formatter,
    )
    _configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
