"""Patient pseudonyms: from the key, or from a user-supplied CSV mapping.

The patient is identified by the original Patient ID (0010,0020); a dataset without
one falls back to Patient's Name with Birth Date, then to the Study Instance UID.
A keyed pseudonym is ``ANON-`` plus 10 characters of Crockford base32 of an HMAC of
that identity (50 bits), as Patient ID, and ``ANON^`` plus the same characters as
Patient's Name.

A mapping CSV has a header row and the columns ``patient_id``, ``pseudonym_id`` and
optionally ``pseudonym_name`` (header matching ignores case, spaces and
underscores, so ``PatientID`` works too); other columns are ignored.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset

from elscint_codec.deid.errors import MappingError

__all__ = [
    "KeyedPseudonyms",
    "MappedPseudonyms",
    "Pseudonym",
    "load_mapping",
    "patient_identity",
]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_CHARS = 10
_BAD_LO = re.compile(r"[\\\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Pseudonym:
    """Replacement Patient ID and Patient's Name."""

    patient_id: str
    patient_name: str


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    return "" if value is None else str(value).strip()


def patient_identity(ds: Dataset) -> str:
    """Return the stable identity string of the patient of ``ds``.

    Examples
    --------
    >>> from pydicom.dataset import Dataset
    >>> ds = Dataset(); ds.PatientID = "12345 "
    >>> patient_identity(ds)
    'id:12345'
    """
    patient_id = _text(ds, "PatientID")
    if patient_id:
        return f"id:{patient_id}"
    name, birth = _text(ds, "PatientName"), _text(ds, "PatientBirthDate")
    if name:
        return f"name:{name}|{birth}"
    return f"study:{_text(ds, 'StudyInstanceUID')}"


def _base32(data: bytes, chars: int) -> str:
    value = int.from_bytes(data, "big")
    out = []
    for _ in range(chars):
        value, digit = divmod(value, 32)
        out.append(_CROCKFORD[digit])
    return "".join(out)


class KeyedPseudonyms:
    """Pseudonyms computed from a secret key.

    Parameters
    ----------
    key : bytes
        Secret sub-key for pseudonyms.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, identity: str) -> Pseudonym:
        """Return the pseudonym for a `patient_identity` string."""
        digest = hmac.new(self._key, identity.encode("utf-8"), hashlib.sha256).digest()
        code = _base32(digest[:8], _CODE_CHARS)
        return Pseudonym(f"ANON-{code}", f"ANON^{code}")


class MappedPseudonyms:
    """Pseudonyms looked up in a user-supplied mapping.

    Parameters
    ----------
    mapping : Mapping[str, Pseudonym]
        Original Patient ID -> pseudonym, as returned by `load_mapping`.
    """

    def __init__(self, mapping: Mapping[str, Pseudonym]) -> None:
        self._mapping = dict(mapping)

    def __call__(self, identity: str) -> Pseudonym:
        """Return the pseudonym of the patient, or raise `MappingError`."""
        if not identity.startswith("id:"):
            raise MappingError(
                "the dataset has no Patient ID (0010,0020), so the pseudonym mapping "
                "cannot be used for it"
            )
        found = self._mapping.get(identity[3:])
        if found is None:
            raise MappingError("the patient's ID is not in the pseudonym mapping file")
        return found


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _check_value(value: str, what: str, where: str) -> None:
    if not value:
        raise MappingError(f"{where}: {what} is empty")
    if len(value) > 64 or _BAD_LO.search(value):
        raise MappingError(
            f"{where}: {what} must be at most 64 characters without backslash or control "
            "characters"
        )


def load_mapping(path: str | Path) -> dict[str, Pseudonym]:
    """Read a pseudonym mapping CSV.

    Parameters
    ----------
    path : str or Path
        CSV file (UTF-8, optionally with BOM).

    Returns
    -------
    dict
        Original Patient ID -> `Pseudonym`.

    Raises
    ------
    MappingError
        Missing columns, empty or invalid values, an original ID listed twice, two
        patients given one pseudonym, or a pseudonym equal to the original ID. The
        messages give row numbers, never the values.
    """
    csv_path = Path(path)
    mapping: dict[str, Pseudonym] = {}
    used: set[str] = set()
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise MappingError(f"{csv_path}: the mapping file is empty")
        columns = {_norm(name): i for i, name in enumerate(header)}
        if "patientid" not in columns or "pseudonymid" not in columns:
            raise MappingError(
                f"{csv_path}: the header must name the columns patient_id and pseudonym_id"
            )
        i_orig, i_id = columns["patientid"], columns["pseudonymid"]
        i_name = columns.get("pseudonymname")
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            where = f"{csv_path} row {number}"
            cells = [*row, *[""] * (len(header) - len(row))]
            original, new_id = cells[i_orig].strip(), cells[i_id].strip()
            new_name = cells[i_name].strip() if i_name is not None else ""
            new_name = new_name or new_id
            _check_value(original, "patient_id", where)
            _check_value(new_id, "pseudonym_id", where)
            _check_value(new_name, "pseudonym_name", where)
            if original in mapping:
                raise MappingError(f"{where}: this patient_id was already listed")
            if new_id in used:
                raise MappingError(f"{where}: this pseudonym_id is given to two patients")
            if new_id == original:
                raise MappingError(f"{where}: the pseudonym_id equals the original patient_id")
            mapping[original] = Pseudonym(new_id, new_name)
            used.add(new_id)
    return mapping
