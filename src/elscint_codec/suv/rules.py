"""The SUV rules: which time is the scan, which is the injection, which unit a number has.

The order of the scan-reference rules follows QIBA's vendor-neutral
pseudo-code as extended by the IBSI SUV manual, with the per-frame
back-computation before the earliest acquisition time (see ``docs/suv.md``).
All date arithmetic is done on :class:`datetime.datetime` objects so that a
whole-day date shift leaves every decay time, and so every factor, unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from elscint_codec.errors import DatasetError
from elscint_codec.suv.record import SeriesRecord

__all__ = [
    "MBQ_THRESHOLD",
    "SUVError",
    "TimeChoice",
    "average_time_in_frame",
    "back_computed_times",
    "dose_in_bq",
    "frame_duration_term",
    "height_in_m",
    "injection_reference",
    "scan_reference",
    "sex_code",
    "weight_in_kg",
]

#: A total dose below this number is read as MBq (no real Bq dose is this small).
MBQ_THRESHOLD = 1e5
#: Weights above this number are read as grams.
GRAM_THRESHOLD = 1000.0
#: Heights above this number cannot be metres.
MAX_HEIGHT_M = 3.0
#: Back-computed scan times of one series that spread wider than this are not trusted.
BACK_COMPUTE_SPREAD_S = 2.0

DOSE = "(0018,1074) Radionuclide Total Dose"
HALF_LIFE = "(0018,1075) Radionuclide Half Life"
WEIGHT = "(0010,1030) Patient's Weight"
SIZE = "(0010,1020) Patient's Size"
SEX = "(0010,0040) Patient's Sex"
START_TIME = "(0018,1072) Radiopharmaceutical Start Time"
START_DATETIME = "(0018,1078) Radiopharmaceutical Start DateTime"
SERIES_TIME = "(0008,0021)/(0008,0031) Series Date/Time"
ACQ_TIME = "(0008,0022)/(0008,0032) Acquisition Date/Time"
FRAME_REF = "(0054,1300) Frame Reference Time"
FRAME_DURATION = "(0018,1242) Actual Frame Duration"


class SUVError(DatasetError):
    """SUV cannot be computed from these headers.

    Parameters
    ----------
    message : str
        The reason in plain words, naming the element.
    attribute : str
        The element that is missing or contradictory, e.g.
        ``"(0010,1030) Patient's Weight"``.
    """

    def __init__(self, message: str, attribute: str) -> None:
        super().__init__(message)
        self.attribute = attribute


@dataclass(frozen=True)
class TimeChoice:
    """A time picked by a rule.

    Attributes
    ----------
    when : datetime.datetime
        The chosen date and time (naive, local).
    rule : str
        Short identifier of the rule, stable for JSON/CSV.
    text : str
        The rule in plain words for the table.
    """

    when: datetime
    rule: str
    text: str


def _positive(value: float | None, label: str) -> float:
    if value is None:
        raise SUVError(f"{label} is missing", label)
    if value <= 0:
        raise SUVError(f"{label} is {value:g}; it must be greater than 0", label)
    return value


def dose_in_bq(raw: float | None) -> tuple[float, str | None]:
    """Return the injected dose in Bq and a note when the value was read as MBq."""
    value = _positive(raw, DOSE)
    if value < MBQ_THRESHOLD:
        return value * 1e6, f"{DOSE} {value:g} is below {MBQ_THRESHOLD:g}: read as MBq"
    return value, None


def weight_in_kg(raw: float | None) -> tuple[float, str | None]:
    """Return the patient weight in kg and a note when the value was read as grams."""
    value = _positive(raw, WEIGHT)
    if value > GRAM_THRESHOLD:
        return value / 1000.0, f"{WEIGHT} {value:g} is above {GRAM_THRESHOLD:g}: read as grams"
    return value, None


def height_in_m(raw: float | None) -> tuple[float | None, str | None]:
    """Return the height in metres, or None and the reason it cannot be used."""
    if raw is None:
        return None, f"{SIZE} is missing"
    if raw <= 0:
        return None, f"{SIZE} is {raw:g}"
    if raw > MAX_HEIGHT_M:
        return None, f"{SIZE} {raw:g} is not a height in metres"
    return raw, None


def sex_code(raw: str | None) -> tuple[str | None, str | None]:
    """Return ``M``, ``F`` or ``O``, or None and the reason."""
    if raw in ("M", "F", "O"):
        return raw, None
    if raw is None:
        return None, f"{SEX} is missing"
    return None, f"{SEX} is {raw!r}, not M, F or O"


def _x_over_expm1(x: float) -> float:
    """``x / (1 - exp(-x))``, accurate for small x."""
    return x / -math.expm1(-x)


def average_time_in_frame(decay_constant: float, duration_s: float) -> float:
    """Time after frame start at which the activity equals its frame average [s].

    ``T_ave = ln(lambda T / (1 - exp(-lambda T))) / lambda`` (PS3.3 C.8.9.4.1.5),
    evaluated without cancellation for short frames or long half-lives.
    """
    x = decay_constant * duration_s
    if x < 1e-3:  # series x/2 - x^2/24 + x^4/2880: exact to double precision here
        log_term = x / 2.0 - x * x / 24.0 + x**4 / 2880.0
    else:
        denominator = -math.expm1(-x)
        log_term = math.log1p((x - denominator) / denominator)
    return log_term / decay_constant


def frame_duration_term(decay_constant: float, duration_s: float) -> float:
    """``lambda T / (1 - exp(-lambda T))``: decay during a frame of length T."""
    return _x_over_expm1(decay_constant * duration_s)


def back_computed_times(record: SeriesRecord, half_life: float | None) -> list[datetime] | None:
    """Scan start per file: ``acquisition + T_ave - Frame Reference Time``.

    None unless every file has an acquisition time, a Frame Reference Time > 0
    and an Actual Frame Duration > 0, and the half-life is known.
    """
    if half_life is None or half_life <= 0 or not record.slices:
        return None
    lam = math.log(2.0) / half_life
    result = []
    for item in record.slices:
        frt, afd = item.frame_reference_time_ms, item.actual_frame_duration_ms
        if item.acquisition is None or not frt or not afd or frt <= 0 or afd <= 0:
            return None
        offset = average_time_in_frame(lam, afd / 1000.0) - frt / 1000.0
        result.append(item.acquisition + timedelta(seconds=offset))
    return result


def _mean(times: list[datetime]) -> datetime:
    base = times[0]
    total = sum((t - base for t in times), timedelta())
    return base + total / len(times)


def scan_reference(record: SeriesRecord, half_life: float | None) -> tuple[TimeChoice, list[str]]:
    """Pick the scan reference time of a START-decay-corrected series.

    Rules, first match wins: (1) Series Date/Time if not after the earliest
    acquisition; (2) GE private scan_datetime; (3) per-frame back-computation
    from Acquisition Time, Frame Reference Time and Actual Frame Duration when
    every file has them (> 0) and they agree within 2 s; (4) the earliest
    acquisition.

    Returns
    -------
    (TimeChoice, list of str)
        The chosen time and warnings.
    """
    warnings: list[str] = []
    acquired = [s.acquisition for s in record.slices if s.acquisition is not None]
    earliest = min(acquired) if acquired else None
    series = record.series_datetime
    if series is not None and (earliest is None or series <= earliest):
        text = (
            "Series Date/Time (no acquisition time to check it against)"
            if earliest is None
            else "Series Date/Time, not after the earliest acquisition"
        )
        return TimeChoice(series, "series", text), warnings
    ge_times = [s.ge_scan_datetime for s in record.slices if s.ge_scan_datetime is not None]
    if ge_times:
        return (
            TimeChoice(min(ge_times), "ge-private", "GE private scan_datetime (0009,xx0D)"),
            warnings,
        )
    back = back_computed_times(record, half_life)
    if back is not None:
        spread = (max(back) - min(back)).total_seconds()
        if spread <= BACK_COMPUTE_SPREAD_S:
            text = (
                "back-computed from Acquisition Time, Frame Reference Time and "
                "Actual Frame Duration"
            )
            return TimeChoice(_mean(back), "back-computed", text), warnings
        warnings.append(
            f"scan times back-computed from {FRAME_REF} disagree by {spread:.1f} s "
            "between files; the earliest acquisition time was used"
        )
    if earliest is not None:
        text = "earliest Acquisition Date/Time (Series Time is later)"
        if series is None:
            text = "earliest Acquisition Date/Time (no Series Date/Time)"
        return TimeChoice(earliest, "earliest-acquisition", text), warnings
    raise SUVError(f"no scan time: {SERIES_TIME} and {ACQ_TIME} are missing", SERIES_TIME)


def injection_reference(record: SeriesRecord, reference: datetime) -> TimeChoice:
    """Pick the injection date and time.

    Radiopharmaceutical Start DateTime when it has a full date and time;
    otherwise Start Time on the date of ``reference`` (or on the date part of
    the Start DateTime), minus one day if that would put the injection after
    ``reference`` (injection before midnight).
    """
    if record.injection_datetime is not None:
        return TimeChoice(
            record.injection_datetime, "start-datetime", "Radiopharmaceutical Start DateTime"
        )
    clock = record.injection_time
    if clock is None:
        raise SUVError(f"{START_TIME} and {START_DATETIME} are missing", START_TIME)
    if record.injection_date_only is not None:
        return TimeChoice(
            datetime.combine(record.injection_date_only, clock),
            "start-date-and-time",
            "date of Radiopharmaceutical Start DateTime with Start Time",
        )
    candidate = datetime.combine(reference.date(), clock)
    if candidate > reference:
        return TimeChoice(
            candidate - timedelta(days=1),
            "start-time-day-before",
            "Radiopharmaceutical Start Time on the day before the scan (before midnight)",
        )
    return TimeChoice(candidate, "start-time", "Radiopharmaceutical Start Time on the scan date")
