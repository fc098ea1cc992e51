"""The optional linkage table: original patient -> pseudonym, owner-only.

It is the one file that links output to identity, so it is written only on request,
to a path of its own (never inside the output), with mode 0600, atomically, and
merged with any rows already in it so that separate runs build one table.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LINKAGE_COLUMNS", "LinkageEntry", "read_linkage", "write_linkage"]

LINKAGE_COLUMNS = (
    "original_patient_id",
    "original_patient_name",
    "pseudonym_id",
    "pseudonym_name",
    "date_shift_days",
)


@dataclass(frozen=True, order=True)
class LinkageEntry:
    """One patient of the linkage table (``date_shift_days`` empty with full dates)."""

    original_patient_id: str
    original_patient_name: str
    pseudonym_id: str
    pseudonym_name: str
    date_shift_days: str = ""

    def row(self) -> tuple[str, str, str, str, str]:
        """Return the CSV row."""
        return (
            self.original_patient_id,
            self.original_patient_name,
            self.pseudonym_id,
            self.pseudonym_name,
            self.date_shift_days,
        )


def read_linkage(path: str | Path) -> list[LinkageEntry]:
    """Read a linkage file written by `write_linkage` (missing file: empty list)."""
    link_path = Path(path)
    if not link_path.exists():
        return []
    with link_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or tuple(rows[0]) != LINKAGE_COLUMNS:
        raise ValueError(f"{link_path} is not a linkage file written by elscint-codec")
    return [LinkageEntry(*row[:5]) for row in rows[1:] if len(row) >= 5]


def write_linkage(path: str | Path, entries: Iterable[LinkageEntry]) -> Path:
    """Merge ``entries`` into the linkage file at ``path`` (created mode 0600).

    Parameters
    ----------
    path : str or Path
        Linkage CSV file.
    entries : iterable of LinkageEntry
        Rows to add; rows already present are not repeated.

    Returns
    -------
    Path
        The file written.
    """
    link_path = Path(path)
    merged = sorted(set(read_linkage(link_path)) | set(entries))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LINKAGE_COLUMNS)
    writer.writerows(entry.row() for entry in merged)
    link_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = link_path.parent / f".{link_path.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getvalue().encode("utf-8"))
        os.replace(tmp, link_path)
    finally:
        tmp.unlink(missing_ok=True)
    if os.name == "posix":
        os.chmod(link_path, 0o600)
    return link_path
