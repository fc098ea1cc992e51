"""SUV factors per slice from a :class:`~elscint_codec.suv.record.SeriesRecord`.

A factor is the number to multiply a stored-and-rescaled pixel value
(``stored * Rescale Slope + Rescale Intercept``) by to get that SUV.
:func:`compute_factors` is a pure function: it returns :class:`SUVFactors` or
raises :class:`~elscint_codec.suv.rules.SUVError` naming the missing or
contradictory element.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from elscint_codec.suv import body
from elscint_codec.suv.record import PHILIPS_ACTIVITY, PHILIPS_CREATOR, PHILIPS_SUV, SeriesRecord
from elscint_codec.suv.rules import (
    FRAME_DURATION,
    HALF_LIFE,
    SIZE,
    START_DATETIME,
    START_TIME,
    WEIGHT,
    SUVError,
    TimeChoice,
    dose_in_bq,
    frame_duration_term,
    injection_reference,
    scan_reference,
    weight_in_kg,
)

__all__ = ["PHILIPS_TOLERANCE", "VARIANTS", "SUVFactors", "compute_factors"]

#: Relative difference above which the Philips private factor and ours disagree.
PHILIPS_TOLERANCE = 0.01

#: Every factor variant: key -> (label, DICOM-style unit).
VARIANTS: dict[str, tuple[str, str]] = {
    "bw": ("SUVbw (body weight)", "g/ml"),
    "sul_janma": ("SUL, lean body mass by " + body.LBM_LABELS["janma"], "g/ml"),
    "sul_james128": ("SUL, lean body mass by " + body.LBM_LABELS["james128"], "g/ml"),
    "sul_james120": ("SUL, lean body mass by " + body.LBM_LABELS["james120"], "g/ml"),
    "bsa": ("SUVbsa (body surface area, Du Bois)", "cm2/ml"),
    "ibw": ("SUVibw (ideal body weight, not capped)", "g/ml"),
}

CORRECTED = "(0028,0051) Corrected Image"
DECAY = "(0054,1102) Decay Correction"
UNITS = "(0054,1001) Units"
SUV_TYPE = "(0054,1006) SUV Type"
Factors = tuple[float, ...]


@dataclass(frozen=True)
class SUVFactors:
    """SUV factors of one series, one value per slice (in the record's slice order).

    A variant is None when its inputs are missing; ``unavailable`` says why.
    ``sul`` is the default SUL (Janmahasatian).
    """

    bw: Factors
    sul_janma: Factors | None
    sul_james128: Factors | None
    sul_james120: Factors | None
    bsa: Factors | None
    ibw: Factors | None
    source: str
    scan: TimeChoice | None
    injection: TimeChoice | None
    decay_time_s: float | None
    dose_bq: float | None
    decayed_dose_bq: float | None
    weight_kg: float | None
    height_m: float | None
    sex: str | None
    lbm_kg: tuple[tuple[str, float], ...]
    bsa_cm2: float | None
    ibw_kg: float | None
    unavailable: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    philips_check: str | None

    @property
    def sul(self) -> Factors | None:
        """The default SUL factors (lean body mass by Janmahasatian)."""
        return self.sul_janma

    def variant(self, key: str) -> Factors | None:
        """Return the factors of one key of :data:`VARIANTS`."""
        if key not in VARIANTS:
            raise ValueError(f"unknown SUV variant {key!r}")
        value: Factors | None = getattr(self, key)
        return value

    def uniform(self, key: str = "bw") -> float | None:
        """The factor of a variant if it is the same on every slice, else None."""
        values = self.variant(key)
        if not values or any(v != values[0] for v in values):
            return None
        return values[0]


@dataclass
class _Decay:
    """Intermediate result of the activity-based computation."""

    bw: list[float]
    scan: TimeChoice | None = None
    injection: TimeChoice | None = None
    decay_time_s: float | None = None
    dose_bq: float | None = None
    decayed_dose_bq: float | None = None


def _check_corrected(record: SeriesRecord, decay: str) -> None:
    codes = set(record.corrected_image)
    if not codes:
        raise SUVError(f"{CORRECTED} is missing", CORRECTED)
    if "ATTN" not in codes:
        raise SUVError(f"{CORRECTED} does not contain ATTN (attenuation correction)", CORRECTED)
    if decay != "NONE" and not codes & {"DECY", "DECAY"}:
        raise SUVError(f"{CORRECTED} does not contain DECY although {DECAY} is {decay}", CORRECTED)


def _half_life(record: SeriesRecord) -> float:
    value = record.half_life
    if value is None:
        raise SUVError(f"{HALF_LIFE} is missing", HALF_LIFE)
    if value <= 0:
        raise SUVError(f"{HALF_LIFE} is {value:g}; it must be greater than 0", HALF_LIFE)
    return value


def _decay(
    record: SeriesRecord, weight_kg: float, notes: list[str], warnings: list[str]
) -> _Decay:
    """SUVbw factors of activity concentration (Bq/ml) pixels."""
    decay = record.decay_correction
    if decay is None:
        raise SUVError(f"{DECAY} is missing", DECAY)
    if decay not in ("START", "ADMIN", "NONE"):
        raise SUVError(f"{DECAY} is {decay!r}; only START, ADMIN and NONE are known", DECAY)
    _check_corrected(record, decay)
    dose, note = dose_in_bq(record.dose)
    if note:
        notes.append(note)
    weight_g = weight_kg * 1000.0
    n = len(record.slices)
    if decay == "ADMIN":
        return _Decay([weight_g / dose] * n, dose_bq=dose, decayed_dose_bq=dose)
    half_life = _half_life(record)
    lam = math.log(2.0) / half_life
    if decay == "START":
        scan, found = scan_reference(record, half_life)
        warnings.extend(found)
        injection = injection_reference(record, scan.when)
        seconds = (scan.when - injection.when).total_seconds()
        _check_decay_time(seconds, injection, scan, warnings)
        decayed = dose * 2.0 ** (-seconds / half_life)
        return _Decay([weight_g / decayed] * n, scan, injection, seconds, dose, decayed)
    # NONE: every frame is decay-corrected here, to the injection.
    starts = [s.acquisition for s in record.slices]
    if any(t is None for t in starts):
        missing = "(0008,0022)/(0008,0032) Acquisition Date/Time"
        raise SUVError(f"{missing} is missing on some files (needed for {DECAY} NONE)", missing)
    earliest = min(t for t in starts if t is not None)
    injection = injection_reference(record, earliest)
    result = []
    for item in record.slices:
        duration = item.actual_frame_duration_ms
        if not duration or duration <= 0:
            raise SUVError(
                f"{FRAME_DURATION} is missing or 0 (needed for {DECAY} NONE)", FRAME_DURATION
            )
        assert item.acquisition is not None
        seconds = (item.acquisition - injection.when).total_seconds()
        _check_decay_time(seconds, injection, None, warnings)
        term = frame_duration_term(lam, duration / 1000.0)
        result.append(weight_g / dose * term * math.exp(lam * seconds))
    first = (earliest - injection.when).total_seconds()
    return _Decay(result, None, injection, first, dose, None)


def _check_decay_time(
    seconds: float, injection: TimeChoice, scan: TimeChoice | None, warnings: list[str]
) -> None:
    if seconds < 0:
        element = START_DATETIME if injection.rule == "start-datetime" else START_TIME
        where = "the acquisition" if scan is None else f"the scan ({scan.when})"
        raise SUVError(f"the injection ({injection.when}) is after {where}; check {element}",
                       element)  # fmt: skip
    message = f"{seconds / 3600:.1f} h between injection and scan; check the injection date"
    if seconds > 24 * 3600 and message not in warnings:
        warnings.append(message)


def _all(values: list[float | None]) -> list[float] | None:
    if values and all(v is not None and v != 0 for v in values):
        return [float(v) for v in values if v is not None]
    return None


def _cnts(
    record: SeriesRecord, weight: float | None, notes: list[str], warnings: list[str]
) -> tuple[_Decay, str, str | None]:
    suv = [s.philips_suv_factor for s in record.slices]
    act = [s.philips_activity_factor for s in record.slices]
    suv_all, act_all = _all(suv), _all(act)
    if suv_all is None and any(v for v in suv):
        raise SUVError(
            f"{PHILIPS_SUV} is missing or 0 on some files of this CNTS series", PHILIPS_SUV
        )
    computed: _Decay | None = None
    reason: str | None = None
    if act_all is not None:
        try:
            if weight is None:
                weight, _ = weight_in_kg(record.weight)
            computed = _decay(record, weight, notes, warnings)
        except SUVError as exc:
            if suv_all is None:
                raise
            reason = str(exc)
    if suv_all is not None:
        check: str | None = None
        if computed is not None and act_all is not None:
            ours = [a * c for a, c in zip(act_all, computed.bw, strict=True)]
            check = _compare(suv_all, ours, "(7053,xx00) vs (7053,xx09) x computed", warnings)
        elif reason is not None:
            check = f"not possible: {reason}"
        result = computed or _Decay([])
        result.bw = suv_all
        return result, "philips-suv-factor", check
    if computed is not None and act_all is not None:
        computed.bw = [a * c for a, c in zip(act_all, computed.bw, strict=True)]
        return computed, "philips-activity-factor", None
    raise SUVError(
        f"{UNITS} is CNTS but neither {PHILIPS_SUV} nor {PHILIPS_ACTIVITY} of "
        f"'{PHILIPS_CREATOR}' is present and non-zero",
        PHILIPS_SUV,
    )


def _compare(theirs: list[float], ours: list[float], what: str, warnings: list[str]) -> str:
    worst = max(abs(t / o - 1.0) for t, o in zip(theirs, ours, strict=True))
    if worst > PHILIPS_TOLERANCE:
        warnings.append(
            f"Philips private SUV factor differs from ours by {worst:.2%} ({what}); "
            "check the dose, weight and times"
        )
        return f"differs by {worst:.2%}"
    return f"agrees within {worst:.3%}"


def _bqml_check(record: SeriesRecord, bw: list[float], warnings: list[str]) -> str | None:
    suv = _all([s.philips_suv_factor for s in record.slices])
    act = _all([s.philips_activity_factor for s in record.slices])
    if suv is None or act is None:
        return None
    ratios = [s / a for s, a in zip(suv, act, strict=True)]
    return _compare(ratios, bw, "(7053,xx00) / (7053,xx09) vs computed", warnings)


_GML_TYPES = {
    "BW": "bw",
    "LBM": "sul_james120",
    "LBMJAMES128": "sul_james128",
    "LBMJANMA": "sul_janma",
    "IBW": "ibw",
}


def _normalised(record: SeriesRecord, sizes: body.BodySizes) -> tuple[_Decay, str]:
    units = record.units
    kind = record.suv_type or ("BSA" if units == "CM2ML" else "BW")
    if units == "GML" and kind in _GML_TYPES:
        key = _GML_TYPES[kind]
    elif units == "CM2ML" and kind == "BSA":
        key = "bsa"
    else:
        raise SUVError(f"{SUV_TYPE} {kind!r} does not fit {UNITS} {units}", SUV_TYPE)
    n = len(record.slices)
    if key == "bw":
        return _Decay([1.0] * n), "gml"
    mass, weight = sizes.mass(key), sizes.weight
    if mass is None or weight is None:
        attribute, why = sizes.reasons.get(key, (SIZE, "body size unknown"))
        raise SUVError(
            f"{UNITS} {units} with {SUV_TYPE} {kind} cannot be converted: {why}", attribute
        )
    ratio = weight * 1000.0 / (mass if key == "bsa" else mass * 1000.0)
    return _Decay([ratio] * n), units.lower()


def compute_factors(record: SeriesRecord) -> SUVFactors:
    """Compute every SUV factor of a PET series or refuse.

    Parameters
    ----------
    record : SeriesRecord
        Extracted from all files of the series.

    Returns
    -------
    SUVFactors

    Raises
    ------
    SUVError
        When SUVbw cannot be computed; the message and ``attribute`` name the
        missing or contradictory element.
    """
    if record.conflicts:
        raise SUVError(record.conflicts[0], record.conflicts[0].split(" differs")[0])
    if record.modality not in (None, "PT"):
        raise SUVError(
            f"(0008,0060) Modality is {record.modality}, not PT", "(0008,0060) Modality"
        )
    if any(s.number_of_frames > 1 for s in record.slices):
        raise SUVError("multi-frame PET files are not supported", "(0028,0008) Number of Frames")
    notes: list[str] = list(record.notes)
    warnings: list[str] = []
    weight: float | None = None
    weight_reason: str | None = None
    try:
        weight, note = weight_in_kg(record.weight)
        if note:
            notes.append(note)
    except SUVError as exc:
        weight_reason = str(exc)
    sizes = body.BodySizes(weight, weight_reason, record.size, record.sex)
    units = record.units
    check: str | None = None
    if units is None:
        raise SUVError(f"{UNITS} is missing", UNITS)
    if units == "BQML":
        if weight is None:
            raise SUVError(weight_reason or f"{WEIGHT} is missing", WEIGHT)
        result, source = _decay(record, weight, notes, warnings), "computed"
        check = _bqml_check(record, result.bw, warnings)
    elif units == "CNTS":
        result, source, check = _cnts(record, weight, notes, warnings)
    elif units in ("GML", "CM2ML"):
        result, source = _normalised(record, sizes)
    else:
        raise SUVError(f"{UNITS} is {units}; SUV needs BQML, CNTS (Philips), GML or CM2ML", UNITS)
    if any(s.rescale_intercept != 0 for s in record.slices):
        warnings.append("(0028,1052) Rescale Intercept is not 0; it was applied (QIBA)")
    if record.radiopharmaceutical_items > 1:
        warnings.append("several radiopharmaceuticals are listed; the first one was used")
    return _assemble(result, source, sizes, notes, warnings, check)


def _assemble(
    result: _Decay,
    source: str,
    sizes: body.BodySizes,
    notes: list[str],
    warnings: list[str],
    check: str | None,
) -> SUVFactors:
    bw = tuple(result.bw)
    variants: dict[str, Factors | None] = {}
    for key in ("sul_janma", "sul_james128", "sul_james120", "bsa", "ibw"):
        mass, weight = sizes.mass(key), sizes.weight
        if mass is None or weight is None:
            variants[key] = None
            continue
        scale = mass / (weight * 1000.0) if key == "bsa" else mass / weight
        variants[key] = tuple(f * scale for f in bw)
    unavailable = tuple(
        (key, sizes.reasons.get(key, (SIZE, "not computed"))[1])
        for key, v in variants.items()
        if v is None
    )
    return SUVFactors(
        bw=bw,
        sul_janma=variants["sul_janma"],
        sul_james128=variants["sul_james128"],
        sul_james120=variants["sul_james120"],
        bsa=variants["bsa"],
        ibw=variants["ibw"],
        source=source,
        scan=result.scan,
        injection=result.injection,
        decay_time_s=result.decay_time_s,
        dose_bq=result.dose_bq,
        decayed_dose_bq=result.decayed_dose_bq,
        weight_kg=sizes.weight,
        height_m=sizes.height,
        sex=sizes.sex,
        lbm_kg=tuple(sizes.lbm.items()),
        bsa_cm2=sizes.bsa,
        ibw_kg=sizes.ibw,
        unavailable=unavailable,
        warnings=tuple(dict.fromkeys(warnings)),
        notes=tuple(dict.fromkeys(notes)),
        philips_check=check,
    )
