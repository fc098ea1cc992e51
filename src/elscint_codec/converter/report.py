"""The report next to the output: ``elscint-report.csv`` and ``elscint-report.json``.

One row per input file, cumulative across runs into the same OUTPUT: a row
from an earlier run stays until the same input is processed again.  Both
files are written atomically (temporary name, then rename) and streamed row
by row.  The CSV has a UTF-8 byte order mark so spreadsheet programs read
accented names correctly.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from elscint_codec._version import __version__
from elscint_codec.converter.state import COLUMNS
from elscint_codec.converter.writer import TEMP_PREFIX

__all__ = ["CSV_NAME", "JSON_NAME", "read_previous", "write_reports"]

CSV_NAME = "elscint-report.csv"
JSON_NAME = "elscint-report.json"
_LOG = logging.getLogger("elscint_codec.converter")


def read_previous(output: Path) -> Iterator[dict[str, str]]:
    """Yield the rows of the report an earlier run left in ``output`` (if any)."""
    path = output / CSV_NAME
    if not path.is_file():
        return
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            if reader.fieldnames is None or "input" not in reader.fieldnames:
                _LOG.warning("ignoring %s: it has no 'input' column", path)
                return
            for row in reader:
                yield {column: row.get(column) or "" for column in COLUMNS}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _LOG.warning("ignoring the earlier report %s: %s", path, exc)


def _replace(path: Path, write: Callable[[TextIO], None]) -> None:
    temp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        with open(temp, "w", encoding="utf-8-sig" if path.suffix == ".csv" else "utf-8",
                  newline="") as stream:  # fmt: skip
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_reports(
    output: Path, rows: Callable[[], Iterable[Mapping[str, str]]], counts: Mapping[str, int]
) -> tuple[Path, Path]:
    """Write both reports; ``rows()`` yields the rows (it is called once per file).

    Returns
    -------
    tuple of Path
        The CSV and JSON paths.
    """
    csv_path, json_path = output / CSV_NAME, output / JSON_NAME

    def write_csv(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([row.get(column, "") for column in COLUMNS] for row in rows())

    def write_json(stream: TextIO) -> None:
        head = {
            "generator": f"elscint-codec {__version__}",
            "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "columns": list(COLUMNS),
            "counts": dict(counts),
        }
        stream.write(json.dumps(head, indent=1)[:-2] + ',\n "files": [')
        encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps makes one per call
        for index, row in enumerate(rows()):
            values = {column: (row.get(column) or None) for column in COLUMNS}
            stream.write(("\n  " if index == 0 else ",\n  ") + encode(values))
        stream.write("\n ]\n}\n")

    _replace(csv_path, write_csv)
    _replace(json_path, write_json)
    return csv_path, json_path
