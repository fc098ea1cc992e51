"""Properties of the SUV rules that must hold for any input (hypothesis)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

import suv_cases as cases
from elscint_codec.suv import SeriesRecord, compute_factors
from elscint_codec.suv.rules import average_time_in_frame, back_computed_times
from elscint_codec.suv.values import parse_dt, parse_tm

F18 = 6586.2


def _da(when: datetime) -> str:
    return when.strftime("%Y%m%d")


def _tm(when: datetime) -> str:
    return when.strftime("%H%M%S.%f")


@st.composite
def pet_timing(draw):
    """Scan and injection of a plausible PET series, as datetimes."""
    day = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2040, 12, 31)))
    scan = datetime.combine(day, time()) + timedelta(
        microseconds=draw(st.integers(0, 24 * 3600 * 10**6 - 1))
    )
    uptake = timedelta(microseconds=draw(st.integers(60 * 10**6, 6 * 3600 * 10**6)))
    return scan, scan - uptake


def _series(scan, injection, *, shift_days, with_datetime, rule, decay):
    """Datasets of a 3-slice series shifted by whole days."""
    shift = timedelta(days=shift_days)
    scan, injection = scan + shift, injection + shift
    duration_s = 120.0
    lam = math.log(2) / F18
    offset = average_time_in_frame(lam, duration_s)
    acquisitions = [scan + timedelta(seconds=130 * i) for i in range(3)]
    series_time = scan if rule == "series" else scan + timedelta(minutes=40)
    frame_refs = [(130 * i + offset) * 1000 for i in range(3)]
    if rule == "earliest":
        frame_refs = [0, 0, 0]
    attrs = {
        "SeriesDate": _da(series_time),
        "SeriesTime": _tm(series_time),
        "RadiopharmaceuticalStartTime": _tm(injection),
        "RadiopharmaceuticalStartDateTime": (
            injection.strftime("%Y%m%d%H%M%S.%f") if with_datetime else None
        ),
        "DecayCorrection": decay,
        "CorrectedImage": ["ATTN", "DECY"] if decay != "NONE" else ["ATTN"],
        "ActualFrameDuration": str(int(duration_s * 1000)),
    }
    per_slice = {
        "AcquisitionDate": [_da(t) for t in acquisitions],
        "AcquisitionTime": [_tm(t) for t in acquisitions],
        "FrameReferenceTime": [f"{v:.6f}"[:16] for v in frame_refs],
    }
    return cases.pet_series(3, per_slice=per_slice, **attrs)


@given(
    timing=pet_timing(),
    shift_days=st.integers(-9000, 9000),
    with_datetime=st.booleans(),
    rule=st.sampled_from(["series", "back", "earliest"]),
    decay=st.sampled_from(["START", "NONE"]),
)
def test_whole_day_shift_gives_exactly_the_same_factors(
    timing, shift_days, with_datetime, rule, decay
):
    scan, injection = timing
    kwargs = {"with_datetime": with_datetime, "rule": rule, "decay": decay}
    before = compute_factors(SeriesRecord.from_datasets(_series(scan, injection, shift_days=0,
                                                                **kwargs)))  # fmt: skip
    after = compute_factors(
        SeriesRecord.from_datasets(_series(scan, injection, shift_days=shift_days, **kwargs))
    )
    for key in ("bw", "sul_janma", "sul_james128", "sul_james120", "bsa", "ibw"):
        assert after.variant(key) == before.variant(key)
    assert after.decay_time_s == before.decay_time_s
    if decay == "START":
        assert after.scan.rule == before.scan.rule
        assert after.scan.when - before.scan.when == timedelta(days=shift_days)


@given(timing=pet_timing(), with_datetime=st.booleans())
def test_decay_time_is_scan_minus_injection(timing, with_datetime):
    scan, injection = timing
    datasets = _series(scan, injection, shift_days=0, with_datetime=with_datetime,
                       rule="series", decay="START")  # fmt: skip
    factors = compute_factors(SeriesRecord.from_datasets(datasets))
    assert factors.decay_time_s == (scan - injection).total_seconds()
    expected = 70000 / (370e6 * 2 ** (-factors.decay_time_s / F18))
    assert math.isclose(factors.bw[0], expected, rel_tol=1e-12)


@given(timing=pet_timing())
def test_back_computation_recovers_the_series_start(timing):
    scan, injection = timing
    datasets = _series(scan, injection, shift_days=0, with_datetime=True, rule="back",
                       decay="START")  # fmt: skip
    record = SeriesRecord.from_datasets(datasets)
    times = back_computed_times(record, F18)
    assert times is not None
    for when in times:  # Frame Reference Time is written with 6 decimals of a ms
        assert abs((when - scan).total_seconds()) < 1e-5
    assert compute_factors(record).scan.rule == "back-computed"


@given(
    half_life=st.floats(60, 1e7),
    duration=st.floats(0.001, 36000),
)
def test_average_time_lies_before_the_middle_of_the_frame(half_life, duration):
    lam = math.log(2) / half_life
    t_ave = average_time_in_frame(lam, duration)
    assert 0 < t_ave <= duration / 2 * (1 + 1e-9)
    # the activity at T_ave equals the frame average of the activity
    mean = -math.expm1(-lam * duration) / (lam * duration)
    assert math.isclose(math.exp(-lam * t_ave), mean, rel_tol=1e-12)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)))
def test_time_and_datetime_text_round_trip(when):
    assert parse_tm(_tm(when)) == when.time()
    assert parse_dt(when.strftime("%Y%m%d%H%M%S.%f") + "-0700") == (when.date(), when.time())
