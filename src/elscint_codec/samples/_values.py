"""Text forms of DICOM values (DS, DA, TM, DT) written exactly and deterministically."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

__all__ = ["da", "ds_list", "dt", "format_ds", "tm"]


def format_ds(value: float) -> str:
    """Return ``value`` as a Decimal String of at most 16 characters, as precise as fits."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    for digits in range(12, 0, -1):
        text = f"{value:.{digits}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}e{int(exponent)}"
        if len(text) <= 16:
            return text
    raise ValueError(f"cannot write {value!r} as a DS")


def ds_list(values: Iterable[float]) -> list[str]:
    """Return :func:`format_ds` of each value."""
    return [format_ds(v) for v in values]


def da(value: date) -> str:
    """Return a DA value (YYYYMMDD)."""
    return value.strftime("%Y%m%d")


def tm(value: datetime, *, milliseconds: bool = False) -> str:
    """Return a TM value (HHMMSS, or HHMMSS.fff with ``milliseconds``)."""
    text = value.strftime("%H%M%S")
    if milliseconds:
        text += f".{value.microsecond // 1000:03d}"
    return text


def dt(value: datetime) -> str:
    """Return a DT value (YYYYMMDDHHMMSS) without a time zone."""
    return value.strftime("%Y%m%d%H%M%S")
