"""Whole-day date shifts: exact calendar arithmetic, time of day untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elscint_codec.deid.dates import (
    MAX_SHIFT_DAYS,
    MIN_SHIFT_DAYS,
    shift_da,
    shift_days_for,
    shift_dt,
)

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
shifts = st.integers(-MAX_SHIFT_DAYS, -MIN_SHIFT_DAYS)


def _da(date: dt.date) -> str:
    return date.strftime("%Y%m%d")


@given(dates, dates, shifts)
def test_shift_keeps_the_interval_between_two_dates(first, second, days):
    a, b = shift_da(_da(first), days), shift_da(_da(second), days)
    assert a is not None
    assert b is not None
    parsed_a = dt.datetime.strptime(a, "%Y%m%d").date()
    parsed_b = dt.datetime.strptime(b, "%Y%m%d").date()
    assert parsed_b - parsed_a == second - first
    assert (parsed_a - first).days == days


@given(
    dates,
    st.times(),
    st.sampled_from(["", "+0100", "-0500", "+0000"]),
    st.integers(0, 6),
    shifts,
)
def test_dt_shift_changes_only_the_date_part(date, time, offset, digits, days):
    fraction = f".{time.microsecond:06d}"[: digits + 1] if digits else ""
    rest = time.strftime("%H%M%S") + fraction + offset
    shifted = shift_dt(_da(date) + rest, days)
    assert shifted is not None
    assert shifted[8:] == rest
    assert shifted[:8] == shift_da(_da(date), days)


@pytest.mark.parametrize(
    ("value", "days", "expected"),
    [
        ("20201217", -1, "20201216"),
        ("20200301", -1, "20200229"),  # leap year
        ("20210101", -1, "20201231"),  # year boundary
        ("2020.12.17", -17, "20201130"),  # ACR-NEMA form, written back as DA
        ("", -400, ""),
        ("2020", -1, None),
        ("20201332", -1, None),
        ("00010101", -1, None),
    ],
)
def test_shift_da_examples(value, days, expected):
    assert shift_da(value, days) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20201217100058.00", "20191113100058.00"),
        ("20201217", "20191113"),
        ("20201217+0100", "20191113+0100"),
        ("2020", None),
        ("202012", None),
        ("20201217ab", None),
    ],
)
def test_shift_dt_examples(value, expected):
    assert shift_dt(value, -400) == expected


def test_shift_per_patient_is_stable_keyed_and_in_range():
    key_a, key_b = b"a" * 32, b"b" * 32
    shifts = {shift_days_for(key_a, f"id:{n}") for n in range(200)}
    assert all(-MAX_SHIFT_DAYS <= s <= -MIN_SHIFT_DAYS for s in shifts)
    assert len(shifts) > 150  # spread out, not a constant
    assert shift_days_for(key_a, "id:1") == shift_days_for(key_a, "id:1")
    differing = sum(
        shift_days_for(key_a, f"id:{n}") != shift_days_for(key_b, f"id:{n}") for n in range(50)
    )
    assert differing >= 45
