"""Synthetic patient, study, timing and UIDs of one sample study, all derived from a seed."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

__all__ = [
    "F18_HALF_LIFE_S",
    "StudyFacts",
    "check_seed",
    "derive_uid",
    "rng_for",
    "study_facts",
    "suvbw_factor",
]

#: Half life of F-18 in seconds, as Philips writes it in Radionuclide Half Life.
F18_HALF_LIFE_S = 6586.2

_NAMESPACE = "elscint-codec-samples"
_CODENAMES = (
    "ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL",
    "INDIA", "JULIETT", "KILO", "LIMA", "MIKE", "NOVEMBER", "OSCAR", "PAPA",
    "QUEBEC", "ROMEO", "SIERRA", "TANGO", "UNIFORM", "VICTOR", "WHISKEY", "XRAY",
)  # fmt: skip


def check_seed(seed: int) -> int:
    """Return ``seed`` if it is a non-negative int, else raise TypeError or ValueError."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return int(seed)


def derive_uid(seed: int, *parts: object) -> str:
    """Return a stable ``2.25.<decimal>`` UID for ``seed`` and a naming path.

    Parameters
    ----------
    seed : int
        The study seed.
    *parts : object
        Names and numbers that make the UID unique inside the study.

    Returns
    -------
    str
        A UID of at most 44 characters, derived from a SHA-256 hash.
    """
    text = "\x1f".join([_NAMESPACE, str(seed), *(str(p) for p in parts)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def rng_for(seed: int, *parts: int | str) -> np.random.Generator:
    """Return a PCG64 generator that depends only on ``seed`` and ``parts``."""
    words = [check_seed(seed)]
    for part in parts:
        if isinstance(part, str):
            words.append(int.from_bytes(hashlib.sha256(part.encode()).digest()[:4], "big"))
        else:
            words.append(int(part))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


@dataclass(frozen=True)
class StudyFacts:
    """Everything about one synthetic study that is not a pixel.

    Times are naive local datetimes, whole seconds; weights in kg, heights in m,
    the dose in Bq (a whole number).
    """

    seed: int
    patient_name: str
    patient_id: str
    birth_date: date
    sex: str
    age_years: int
    weight_kg: float
    height_m: float
    study_start: datetime
    injection: datetime
    ct_start: datetime
    pet_start: datetime
    rgb_created: datetime
    dose_bq: int
    activity_scale: float
    accession_number: str
    study_id: str
    study_uid: str
    frame_of_reference_uid: str
    ct_series_uid: str
    pet_series_uid: str
    rgb_series_uid: str
    body_width: float
    body_depth: float

    def sop_uid(self, series: str, index: int) -> str:
        """Return the SOP Instance UID of image ``index`` of ``series`` ('CT', 'PT', 'SC')."""
        return derive_uid(self.seed, "sop", series, index)


def suvbw_factor(weight_kg: float, dose_bq: float, injection: datetime, scan: datetime) -> float:
    """Return the body-weight SUV factor in g/ml per Bq/ml (weight / decayed dose).

    Parameters
    ----------
    weight_kg : float
        Patient Weight.
    dose_bq : float
        Radionuclide Total Dose at the injection time.
    injection, scan : datetime
        Radiopharmaceutical Start DateTime and the scan reference time (Series DateTime).
    """
    elapsed = (scan - injection).total_seconds()
    decayed = dose_bq * math.pow(2.0, -elapsed / F18_HALF_LIFE_S)
    return weight_kg * 1000.0 / decayed


def study_facts(seed: int) -> StudyFacts:
    """Return the synthetic patient, timing and UIDs of the study made from ``seed``."""
    seed = check_seed(seed)
    rng = rng_for(seed, "facts")
    sex = "F" if rng.random() < 0.5 else "M"
    age = int(rng.integers(34, 86))
    height = round(float(rng.normal(1.64 if sex == "F" else 1.77, 0.07)), 2)
    bmi = float(np.clip(rng.normal(26.0, 4.0), 18.5, 38.0))
    weight = round(bmi * height * height, 1)
    day = date(2015, 1, 5) + timedelta(days=int(rng.integers(0, 3650)))
    ct_start = datetime.combine(day, datetime.min.time()) + timedelta(
        hours=8, seconds=int(rng.integers(0, 8 * 3600))
    )
    uptake = timedelta(seconds=int(rng.integers(52 * 60, 75 * 60)))
    injection = ct_start - uptake
    study_start = ct_start - timedelta(seconds=int(rng.integers(4 * 60, 12 * 60)))
    pet_start = ct_start + timedelta(seconds=int(rng.integers(100, 200)))
    birth = day - timedelta(days=int(365.25 * age + rng.integers(1, 360)))
    dose_mbq = round(float(np.clip(3.7 * weight * rng.uniform(0.9, 1.1), 150.0, 450.0)), 1)
    code = _CODENAMES[seed % len(_CODENAMES)] + (
        str(seed // len(_CODENAMES)) if seed >= 24 else ""
    )
    return StudyFacts(
        seed=seed,
        patient_name=f"PHANTOM^{code}",
        patient_id=f"SAMPLE-{seed:06d}",
        birth_date=birth,
        sex=sex,
        age_years=age,
        weight_kg=weight,
        height_m=height,
        study_start=study_start,
        injection=injection,
        ct_start=ct_start,
        pet_start=pet_start,
        rgb_created=pet_start + timedelta(seconds=int(rng.integers(1500, 2400))),
        dose_bq=round(dose_mbq * 1e6),
        activity_scale=round(float(rng.uniform(2.5, 4.0)), 5),
        accession_number=f"SAMPLE{seed:06d}",
        study_id=str(10000 + seed % 90000),
        study_uid=derive_uid(seed, "study"),
        frame_of_reference_uid=derive_uid(seed, "frame-of-reference"),
        ct_series_uid=derive_uid(seed, "series", "CT"),
        pet_series_uid=derive_uid(seed, "series", "PT"),
        rgb_series_uid=derive_uid(seed, "series", "SC"),
        body_width=float(np.clip(math.sqrt(bmi / 24.0), 0.85, 1.2)),
        body_depth=float(np.clip(bmi / 24.0, 0.8, 1.35)),
    )
