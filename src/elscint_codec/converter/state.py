"""Per-run bookkeeping kept on disk so memory stays bounded for any collection.

A private temporary SQLite database holds the report rows (previous report
plus this run), the output paths claimed in this run, the SOP Instance UIDs
seen (for duplicates) and the series members (for previews).  SQLite keeps
it in memory up to its page cache (2 MB) and spills the rest to a file in
its temporary folder, which it deletes when the run closes the database.
"""

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

__all__ = ["COLUMNS", "RunState", "UidOwner"]

#: Report columns, in order.
COLUMNS = (
    "input",
    "output",
    "status",
    "reason",
    "sop_instance_uid",
    "compression_type",
    "pixel_sha256",
)

# claims and uids are looked up by their text key alone: WITHOUT ROWID stores each
# row in its key's B-tree, one insert instead of two (a table and its index).
_SCHEMA = """
CREATE TABLE rows (input TEXT PRIMARY KEY, seq INTEGER, output TEXT, status TEXT, reason TEXT,
                   sop_instance_uid TEXT, compression_type TEXT, pixel_sha256 TEXT);
CREATE INDEX rows_seq ON rows (seq);
CREATE TABLE claims (key TEXT PRIMARY KEY, input TEXT) WITHOUT ROWID;
CREATE TABLE uids (uid TEXT PRIMARY KEY, fingerprint TEXT, output TEXT, input TEXT,
                   path TEXT, member TEXT) WITHOUT ROWID;
CREATE TABLE series (series_uid TEXT, modality TEXT, position REAL, output TEXT);
CREATE INDEX series_uid ON series (series_uid);
"""
_BATCH = 500


class UidOwner(NamedTuple):
    """The first input seen with a SOP Instance UID."""

    fingerprint: str
    output: str
    shown: str
    path: str
    member: str | None


class RunState:
    """The bookkeeping of one run, in a private temporary database.

    Report rows and series members are written in batches (``executemany``);
    every method that reads them writes the pending ones first.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "": private, temporary, deleted on close
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._seq = 0
        self._pending = 0
        self._rows: list[tuple[object, ...]] = []
        self._members: list[tuple[object, ...]] = []

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= _BATCH:
            self._db.commit()
            self._pending = 0

    def _write_pending(self) -> None:
        """Write the batched report rows and series members."""
        if self._rows:
            self._db.executemany(
                "INSERT OR REPLACE INTO rows (input, seq, output, status, reason,"
                " sop_instance_uid, compression_type, pixel_sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                self._rows,
            )
            self._rows = []
        if self._members:
            self._db.executemany("INSERT INTO series VALUES (?, ?, ?, ?)", self._members)
            self._members = []
        self._db.commit()
        self._pending = 0

    def put_row(self, row: Mapping[str, str]) -> None:
        """Add or replace the report row of ``row['input']`` (latest wins)."""
        self._seq += 1
        get = row.get
        self._rows.append((
            get("input") or "", self._seq, get("output") or "", get("status") or "",
            get("reason") or "", get("sop_instance_uid") or "", get("compression_type") or "",
            get("pixel_sha256") or "",
        ))  # fmt: skip
        if len(self._rows) >= _BATCH:
            self._write_pending()

    def load_rows(self, rows: Iterable[Mapping[str, str]]) -> int:
        """Add the rows of a previous report; return how many."""
        count = 0
        for row in rows:
            if row.get("input"):
                self.put_row(row)
                count += 1
        return count

    def add_note(self, input_path: str, note: str) -> None:
        """Append ``note`` to the reason of the row of ``input_path``."""
        self._write_pending()
        self._db.execute(
            "UPDATE rows SET reason = CASE WHEN reason = '' THEN ? ELSE reason || '; ' || ? END"
            " WHERE input = ?",
            (note, note, input_path),
        )

    def rows(self) -> Iterator[dict[str, str]]:
        """Yield every row, oldest first."""
        self._write_pending()
        cursor = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM rows ORDER BY seq")
        for values in cursor:
            yield dict(zip(COLUMNS, values, strict=True))

    def status_counts(self) -> dict[str, int]:
        """Return the number of rows per status."""
        self._write_pending()
        cursor = self._db.execute("SELECT status, COUNT(*) FROM rows GROUP BY status")
        return dict(cursor)

    def claim(self, key: str, input_path: str) -> str | None:
        """Claim output ``key`` for ``input_path``; return the owner if already claimed."""
        inserted = self._db.execute(
            "INSERT OR IGNORE INTO claims VALUES (?, ?)", (key, input_path)
        )
        if inserted.rowcount == 1:  # nearly always: one statement
            self._tick()
            return None
        found = self._db.execute("SELECT input FROM claims WHERE key = ?", (key,)).fetchone()
        return str(found[0]) if found[0] != input_path else None

    def first_with_uid(
        self, uid: str, output: str, shown: str, path: str, member: str | None
    ) -> UidOwner | None:
        """Return the first file seen with SOP Instance UID ``uid``; None if this is it.

        When ``uid`` is new, this file (``output``, ``shown``, ``path``,
        ``member``) is remembered as its first file: one statement, nearly always.
        """
        inserted = self._db.execute(
            "INSERT OR IGNORE INTO uids VALUES (?, '', ?, ?, ?, ?)",
            (uid, output, shown, path, member),
        )
        if inserted.rowcount == 1:
            self._tick()
            return None
        fingerprint, first_output, first_shown, first_path, first_member = self._db.execute(
            "SELECT fingerprint, output, input, path, member FROM uids WHERE uid = ?", (uid,)
        ).fetchone()
        return UidOwner(fingerprint or "", first_output, first_shown, first_path, first_member)

    def move_uid(self, uid: str, output: str | None) -> None:
        """Record the first file of ``uid`` under ``output`` instead; forget it if None."""
        if output is None:
            self._db.execute("DELETE FROM uids WHERE uid = ?", (uid,))
        else:
            self._db.execute("UPDATE uids SET output = ? WHERE uid = ?", (output, uid))

    def set_fingerprint(self, uid: str, fingerprint: str) -> None:
        """Store the content hash of the first file with ``uid``."""
        self._db.execute("UPDATE uids SET fingerprint = ? WHERE uid = ?", (fingerprint, uid))

    def add_series_member(
        self, series_uid: str, modality: str, position: float | None, output: str
    ) -> None:
        """Remember that ``output`` is a slice of ``series_uid``."""
        self._members.append((series_uid, modality, position, output))
        if len(self._members) >= _BATCH:
            self._write_pending()

    def series(self) -> Iterator[tuple[str, str, list[str]]]:
        """Yield (series UID, modality, outputs ordered by position) per series."""
        self._write_pending()
        uids = [
            str(r[0])
            for r in self._db.execute("SELECT DISTINCT series_uid FROM series ORDER BY 1")
        ]
        for uid in uids:
            members = self._db.execute(
                "SELECT modality, output FROM series WHERE series_uid = ? "
                "ORDER BY position IS NULL, position, output",
                (uid,),
            ).fetchall()
            yield uid, str(members[0][0]), [str(m[1]) for m in members]
