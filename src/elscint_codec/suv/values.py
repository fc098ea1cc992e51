"""Read DICOM date, time and number values and private elements for SUV.

Everything here is a pure function of a pydicom ``Dataset`` (or a raw value):
no file access, no SUV rules. Dates and times are returned as naive
:class:`datetime.datetime` / :class:`datetime.time` objects; a UTC offset in a
DT value is ignored because every time of one PET series is local time.
"""

from __future__ import annotations

import contextlib
import math
import re
import struct
import warnings
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from pydicom.dataset import Dataset

__all__ = [
    "PrivateValue",
    "combine",
    "find_private",
    "parse_da",
    "parse_dt",
    "parse_float",
    "parse_tm",
    "quiet_pydicom",
    "tag_label",
    "text_value",
]

_TM_RE = re.compile(r"^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$")
_DT_OFFSET_RE = re.compile(r"[+-]\d{4}$")


@contextlib.contextmanager
def quiet_pydicom() -> Iterator[None]:
    """Mute pydicom's value-validation warnings (e.g. a DS longer than 16 characters).

    Real PET files often break such length rules; the values are still read.
    Warnings from other modules (e.g. ElscintWarning) still show.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"pydicom\.")
        yield


def tag_label(group: int, element: int, name: str) -> str:
    """Return ``"(gggg,eeee) Name"``, the way every message names an element."""
    return f"({group:04X},{element:04X}) {name}"


def _as_text(value: Any) -> str | None:
    """Return a stripped string for str/bytes values, None when empty."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("ascii")
        except UnicodeDecodeError:
            return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def parse_da(value: Any) -> date | None:
    """Parse a DA value (``YYYYMMDD``, or the old ``YYYY.MM.DD``); None if invalid."""
    text = _as_text(value)
    if text is None:
        return None
    text = text.replace(".", "").replace("-", "")
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def parse_tm(value: Any) -> time | None:
    """Parse a TM value (``HH[MM[SS[.F{1,6}]]]``, colons allowed); None if invalid."""
    text = _as_text(value)
    if text is None:
        return None
    match = _TM_RE.match(text.replace(":", ""))
    if match is None:
        return None
    hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    sec = int(second or 0)
    if sec == 60:  # a leap second is allowed by DICOM; read it as 59.999999
        sec, micro = 59, 999_999
    try:
        return time(int(hour), int(minute or 0), sec, micro)
    except ValueError:
        return None


def parse_dt(value: Any) -> tuple[date, time | None] | None:
    """Parse a DT value into its date and (optional) time of day.

    Returns None unless the value holds a full date (``YYYYMMDD``). A UTC
    offset suffix is dropped.
    """
    text = _as_text(value)
    if text is None:
        return None
    text = _DT_OFFSET_RE.sub("", text)
    day = parse_da(text[:8])
    if day is None:
        return None
    rest = text[8:]
    if not rest:
        return day, None
    clock = parse_tm(rest)
    if clock is None:
        return None
    return day, clock


def combine(day: date | None, clock: time | None) -> datetime | None:
    """Join a date and a time of day, None if either is missing."""
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock)


def parse_float(value: Any) -> float | None:
    """Return a finite float from a DS/IS/FD value (first of several), else None.

    Private values read as UN arrive as bytes: ASCII text is parsed as a
    number, 8 or 4 binary bytes as a little-endian double or float.
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        text = _as_text(raw)
        number: float | None = None
        if text is not None:
            try:
                number = float(text.split("\\")[0])
            except ValueError:
                number = None
        if number is None and len(raw) in (4, 8):
            number = struct.unpack("<d" if len(raw) == 8 else "<f", raw)[0]
        return number if number is not None and math.isfinite(number) else None
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        items = list(value)
        return parse_float(items[0]) if items else None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def text_value(ds: Dataset, keyword: str) -> str | None:
    """Return the stripped text of a standard element, None when absent or empty."""
    element = ds.get(keyword)
    if element is None:
        return None
    value: Any = element
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
    return _as_text(value)


class PrivateValue:
    """A private element found by its creator.

    Attributes
    ----------
    value : Any
        The element value (bytes when it was read as UN), None when absent.
    tag : int | None
        The tag where it was found.
    fallback : bool
        True when the group has no private creator at all and the element
        was taken from the fixed block 0x10.
    """

    __slots__ = ("fallback", "tag", "value")

    def __init__(self, value: Any, tag: int | None, fallback: bool) -> None:
        self.value = value
        self.tag = tag
        self.fallback = fallback


def find_private(ds: Dataset, group: int, creator: str, offset: int) -> PrivateValue:
    """Find ``(group, xx<offset>)`` of ``creator`` in ``ds``.

    The block is looked up through the creator elements ``(group,0010-00FF)``.
    Only when the group holds no creator element at all is the fixed tag
    ``(group,10<offset>)`` used, with ``fallback=True`` so the caller can warn.
    """
    wanted = creator.strip().lower()
    any_creator = False
    for block in range(0x10, 0x100):
        element = ds.get((group << 16) | block)
        if element is None:
            continue
        any_creator = True
        name = _as_text(element.value)
        if name is not None and name.strip().lower() == wanted:
            tag = (group << 16) | (block << 8) | offset
            found = ds.get(tag)
            return PrivateValue(None if found is None else found.value, tag, False)
    if not any_creator:
        tag = (group << 16) | 0x1000 | offset
        found = ds.get(tag)
        if found is not None:
            return PrivateValue(found.value, tag, True)
    return PrivateValue(None, None, False)
