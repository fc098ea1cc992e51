"""Whole-day date shifts for Retain Longitudinal Temporal Information (Modified Dates).

One shift per patient, derived from the key and the patient, is applied to every DA
value and to the date part of every DT value, wherever it occurs; times of day (TM,
and the time part of DT, including its UTC offset) never change. So intervals in
whole days, every time of day, and every difference between a date-time and a time
(injection vs scan start, for SUV) stay exactly as they were (PS3.15 E.3.6 note 4).
The shift lies between 366 and 3652 days into the past.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re

__all__ = ["MAX_SHIFT_DAYS", "MIN_SHIFT_DAYS", "shift_da", "shift_days_for", "shift_dt"]

MIN_SHIFT_DAYS = 366
MAX_SHIFT_DAYS = 3652
_DA = re.compile(r"^(\d{4})\.?(\d{2})\.?(\d{2})$")
_DT = re.compile(r"^(\d{4})(\d{2})(\d{2})(.*)$", re.DOTALL)
_DT_REST = re.compile(r"^(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?([+-]\d{4})?$")


def shift_days_for(key: bytes, patient: str) -> int:
    """Return the (negative) whole-day shift for one patient.

    Parameters
    ----------
    key : bytes
        Secret sub-key for dates.
    patient : str
        Stable patient identity (see `elscint_codec.deid.pseudonyms.patient_identity`).
    """
    digest = hmac.new(key, patient.encode("utf-8"), hashlib.sha256).digest()
    span = MAX_SHIFT_DAYS - MIN_SHIFT_DAYS + 1
    return -(MIN_SHIFT_DAYS + int.from_bytes(digest[:8], "big") % span)


def _shift_date(year: str, month: str, day: str, days: int) -> str | None:
    try:
        date = _dt.date(int(year), int(month), int(day)) + _dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None
    if date.year < 1:
        return None
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


def shift_da(value: str, days: int) -> str | None:
    """Return a DA value shifted by ``days``, or None when it is not a complete date.

    Empty values stay empty. The legacy ``YYYY.MM.DD`` form is accepted and written
    back as ``YYYYMMDD``.

    Examples
    --------
    >>> shift_da("20201217", -400), shift_da("", 5), shift_da("2020", -1)
    ('20191113', '', None)
    """
    text = value.strip()
    if not text:
        return ""
    match = _DA.match(text)
    if match is None:
        return None
    year, month, day = match.groups()
    return _shift_date(year, month, day, days)


def shift_dt(value: str, days: int) -> str | None:
    """Return a DT value with its date part shifted by ``days``; None if not shiftable.

    The time, fraction and UTC offset are copied unchanged. A DT with less than a
    full date (``YYYY`` or ``YYYYMM``) cannot be shifted by whole days and gives None.

    Examples
    --------
    >>> shift_dt("20201217100058.00", -400), shift_dt("20201217+0100", 1)
    ('20191113100058.00', '20201218+0100')
    """
    text = value.strip()
    if not text:
        return ""
    match = _DT.match(text)
    if match is None:
        return None
    year, month, day, rest = match.groups()
    if _DT_REST.match(rest) is None:
        return None
    date = _shift_date(year, month, day, days)
    return None if date is None else date + rest
