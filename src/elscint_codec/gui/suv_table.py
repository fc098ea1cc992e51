"""The few columns of the SUV report worth showing in the window, in plain units.

The full report (``elscint-suv.csv``, written by :func:`elscint_codec.suv.suv_report`
through the converter) has about thirty columns; the window shows who and
which series, whether SUV could be computed, the two factors used most (a
pixel value in Bq/ml times the factor is the SUV) and the inputs a reader
checks first (dose, weight, uptake time).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

__all__ = ["COLUMNS", "read_suv_table"]

Cell = Callable[[dict[str, str]], str]


def _number(name: str, scale: float, digits: str) -> Cell:
    def cell(row: dict[str, str]) -> str:
        text = row.get(name, "")
        try:
            return format(float(text) * scale, digits)
        except ValueError:
            return text

    return cell


def _series(row: dict[str, str]) -> str:
    return " ".join(
        v for v in (row.get("series_number", ""), row.get("series_description", "")) if v
    )


def _status(row: dict[str, str]) -> str:
    status, reason = row.get("status", ""), row.get("reason", "")
    if status == "computed":
        return "ok"
    return f"{status}: {reason}" if reason else status


#: Heading -> how to make the cell from a CSV row.
COLUMNS: dict[str, Cell] = {
    "Patient": lambda row: row.get("patient_id", ""),
    "Series": _series,
    "SUV": _status,
    "SUVbw factor": _number("factor_bw", 1.0, ".6g"),
    "SUL factor": _number("factor_sul_janma", 1.0, ".6g"),
    "Dose (MBq)": _number("dose_bq", 1e-6, ".1f"),
    "Weight (kg)": _number("weight_kg", 1.0, ".1f"),
    "Uptake (min)": _number("decay_time_s", 1 / 60, ".1f"),
    "Philips check": lambda row: row.get("philips_check", ""),
}


def read_suv_table(path: Path, *, limit: int = 2000) -> list[tuple[str, ...]]:
    """Return the rows to show (one per PET series, at most ``limit``), headings not included.

    Raises
    ------
    OSError, UnicodeDecodeError, csv.Error
        When the file cannot be read.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        rows: list[tuple[str, ...]] = []
        for row in csv.DictReader(handle):
            if len(rows) >= limit:
                break
            rows.append(tuple(make(row) for make in COLUMNS.values()))
    return rows
