"""Replacement values for the D (dummy) and Z (zero length) actions, by VR.

PS3.15 E.1.1: "D - replace with a non-zero length value that may be a dummy value and
consistent with the VR"; "Z - replace with a zero length value, or a non-zero length
value that may be a dummy value and consistent with the VR". The dummies below are
valid for their VR (length, character repertoire, date validity) and carry nothing
from the original. UIDs never get a fixed dummy: they are remapped, so that
references stay consistent (see `elscint_codec.deid.uids`).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydicom.dataelem import empty_value_for_VR

__all__ = [
    "BINARY_VRS",
    "DATE_VRS",
    "TEXT_VRS",
    "dummy_value",
    "empty_value",
    "normalise_vr",
]

#: VRs that hold character strings an operator or a system can fill with free text.
TEXT_VRS: frozenset[str] = frozenset({"LO", "SH", "ST", "LT", "UT", "UC", "PN", "CS", "AE"})
#: VRs of dates and date-times (whole-day shifts apply to these).
DATE_VRS: frozenset[str] = frozenset({"DA", "DT"})
#: VRs whose value is a byte string.
BINARY_VRS: frozenset[str] = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})

_DUMMY_TEXT = "ANONYMIZED"
_DUMMIES: Mapping[str, object] = {
    "AE": "ANONYMIZED",
    "AS": "000Y",
    "CS": "ANONYMIZED",
    "DA": "19000101",
    "DS": "0",
    "DT": "19000101000000",
    "IS": "0",
    "LO": _DUMMY_TEXT,
    "LT": _DUMMY_TEXT,
    "PN": _DUMMY_TEXT,
    "SH": _DUMMY_TEXT,
    "ST": _DUMMY_TEXT,
    "TM": "000000",
    "UC": _DUMMY_TEXT,
    "UR": "urn:x-anonymized",
    "UT": _DUMMY_TEXT,
    "AT": 0,
    "FL": 0.0,
    "FD": 0.0,
    "SL": 0,
    "SS": 0,
    "SV": 0,
    "UL": 0,
    "US": 0,
    "UV": 0,
    # Byte strings: the shortest non-empty even-length value of whole words.
    "OB": b"\x00\x00",
    "OW": b"\x00\x00",
    "UN": b"\x00\x00",
    "OF": b"\x00" * 4,
    "OL": b"\x00" * 4,
    "OD": b"\x00" * 8,
    "OV": b"\x00" * 8,
}


def normalise_vr(vr: str) -> str:
    """Return one VR for a dictionary VR such as ``"US or SS"`` or ``"OB or OW"``.

    Examples
    --------
    >>> normalise_vr("US or SS"), normalise_vr("OB or OW"), normalise_vr("PN")
    ('US', 'OB', 'PN')
    """
    return vr.split(" or ", 1)[0].strip() if " or " in vr else vr


def dummy_value(vr: str) -> object:
    """Return a non-empty dummy value valid for ``vr`` (PS3.15 action D).

    Parameters
    ----------
    vr : str
        Value representation; ``SQ`` and ``UI`` are not handled here (a dummy
        sequence keeps its structure with dummy leaves; UIDs are remapped).

    Raises
    ------
    ValueError
        For ``SQ``, ``UI`` or an unknown VR.
    """
    key = normalise_vr(vr)
    if key not in _DUMMIES:
        raise ValueError(f"no dummy value for VR {vr!r}")
    return _DUMMIES[key]


def empty_value(vr: str) -> object:
    """Return the zero-length value for ``vr`` (PS3.15 action Z), as pydicom reads it.

    ``""`` for string VRs, ``None`` for numbers and bytes, ``[]`` for ``SQ``.
    """
    return empty_value_for_VR(normalise_vr(vr))
