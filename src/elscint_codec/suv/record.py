"""Immutable records of what a PET series' headers say, for SUV.

A :class:`SeriesRecord` is extracted from ALL files of one series: values that
must be equal in every file (units, dose, weight, ...) are compared and any
difference is kept in :attr:`SeriesRecord.conflicts`; values that belong to one
image (acquisition time, rescale slope, Philips factors, ...) are kept per
slice in :class:`SliceRecord`. No SUV rule is applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pydicom.dataset import Dataset

from elscint_codec.suv.values import (
    combine,
    find_private,
    parse_da,
    parse_dt,
    parse_float,
    parse_tm,
    text_value,
)

__all__ = [
    "GE_CREATOR",
    "PHILIPS_CREATOR",
    "SeriesRecord",
    "SliceRecord",
]

PHILIPS_CREATOR = "Philips PET Private Group"
GE_CREATOR = "GEMS_PETD_01"

PHILIPS_SUV = "(7053,xx00) SUV Scale Factor"
PHILIPS_ACTIVITY = "(7053,xx09) Activity Concentration Scale Factor"
GE_SCAN = "(0009,xx0D) GE scan_datetime"


@dataclass(frozen=True)
class SliceRecord:
    """Per-image values of one PET file.

    Times are naive local datetimes; durations are in milliseconds as DICOM
    stores them.
    """

    sop_instance_uid: str | None
    instance_number: int | None
    source: str | None
    acquisition: datetime | None
    frame_reference_time_ms: float | None
    actual_frame_duration_ms: float | None
    rescale_slope: float
    rescale_intercept: float
    philips_suv_factor: float | None
    philips_activity_factor: float | None
    ge_scan_datetime: datetime | None
    number_of_frames: int = 1


@dataclass(frozen=True)
class SeriesRecord:
    """Series-level values of a PET series plus one :class:`SliceRecord` per file.

    Raw numbers keep the units found in the file (dose may be Bq or MBq,
    weight kg or g); :mod:`elscint_codec.suv.rules` decides what they mean.
    """

    series_instance_uid: str | None
    study_instance_uid: str | None
    frame_of_reference_uid: str | None
    sop_class_uid: str | None
    modality: str | None
    patient_name: str | None
    patient_id: str | None
    study_date: str | None
    study_description: str | None
    series_number: int | None
    series_description: str | None
    manufacturer: str | None
    units: str | None
    suv_type: str | None
    decay_correction: str | None
    corrected_image: tuple[str, ...]
    series_datetime: datetime | None
    weight: float | None
    size: float | None
    sex: str | None
    dose: float | None
    half_life: float | None
    injection_datetime: datetime | None
    injection_date_only: date | None
    injection_time: time | None
    radiopharmaceutical: str | None
    radiopharmaceutical_items: int
    slices: tuple[SliceRecord, ...]
    conflicts: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_datasets(
        cls,
        datasets: Sequence[Dataset],
        sources: Sequence[str | None] | None = None,
    ) -> SeriesRecord:
        """Extract a record from every dataset (header) of one series.

        Parameters
        ----------
        datasets : sequence of pydicom.dataset.Dataset
            All files of the series; pixel data is not needed.
        sources : sequence of str or None, optional
            A label per dataset (usually its path), kept in the slices.

        Returns
        -------
        SeriesRecord
        """
        if not datasets:
            raise ValueError("a PET series needs at least one dataset")
        if sources is not None and len(sources) != len(datasets):
            raise ValueError("sources must have one entry per dataset")
        labels: Sequence[str | None] = sources if sources is not None else [None] * len(datasets)
        notes: list[str] = []
        slices = [_slice(ds, label, notes) for ds, label in zip(datasets, labels, strict=True)]
        order = sorted(
            range(len(slices)),
            key=lambda i: (
                slices[i].instance_number is None,
                slices[i].instance_number or 0,
                slices[i].sop_instance_uid or "",
            ),
        )
        first = datasets[0]
        conflicts = [
            message
            for label, getter in _SERIES_LEVEL
            if (message := _conflict(label, getter, datasets)) is not None
        ]
        items = _pharm_items(first)
        item = items[0] if items else Dataset()
        start_dt = parse_dt(item.get("RadiopharmaceuticalStartDateTime"))
        return cls(
            series_instance_uid=text_value(first, "SeriesInstanceUID"),
            study_instance_uid=text_value(first, "StudyInstanceUID"),
            frame_of_reference_uid=text_value(first, "FrameOfReferenceUID"),
            sop_class_uid=text_value(first, "SOPClassUID"),
            modality=text_value(first, "Modality"),
            patient_name=text_value(first, "PatientName"),
            patient_id=text_value(first, "PatientID"),
            study_date=text_value(first, "StudyDate"),
            study_description=text_value(first, "StudyDescription"),
            series_number=_int(first.get("SeriesNumber")),
            series_description=text_value(first, "SeriesDescription"),
            manufacturer=text_value(first, "Manufacturer"),
            units=_upper(first, "Units"),
            suv_type=_upper(first, "SUVType"),
            decay_correction=_upper(first, "DecayCorrection"),
            corrected_image=_codes(first),
            series_datetime=_series_datetime(first, notes),
            weight=parse_float(first.get("PatientWeight")),
            size=parse_float(first.get("PatientSize")),
            sex=_upper(first, "PatientSex"),
            dose=parse_float(item.get("RadionuclideTotalDose")),
            half_life=parse_float(item.get("RadionuclideHalfLife")),
            injection_datetime=None if start_dt is None else combine(*start_dt),
            injection_date_only=(
                start_dt[0] if start_dt is not None and start_dt[1] is None else None
            ),
            injection_time=parse_tm(item.get("RadiopharmaceuticalStartTime")),
            radiopharmaceutical=text_value(item, "Radiopharmaceutical"),
            radiopharmaceutical_items=len(items),
            slices=tuple(slices[i] for i in order),
            conflicts=tuple(conflicts),
            notes=tuple(dict.fromkeys(notes)),
        )


def _pharm_items(ds: Dataset) -> list[Dataset]:
    seq = ds.get("RadiopharmaceuticalInformationSequence")
    return list(seq) if seq else []


def _pharm(keyword: str) -> Callable[[Dataset], Any]:
    def get(ds: Dataset) -> Any:
        items = _pharm_items(ds)
        return str(items[0].get(keyword, "")).strip() if items else ""

    return get


def _upper(ds: Dataset, keyword: str) -> str | None:
    text = text_value(ds, keyword)
    return None if text is None else text.upper()


def _codes(ds: Dataset) -> tuple[str, ...]:
    text = text_value(ds, "CorrectedImage")
    if text is None:
        return ()
    return tuple(code.strip().upper() for code in text.split("\\") if code.strip())


def _int(value: Any) -> int | None:
    number = parse_float(value)
    return None if number is None else int(number)


def _date_and_time(
    ds: Dataset,
    time_key: str,
    date_key: str,
    fallbacks: tuple[str, str],
    note: str,
    notes: list[str],
) -> datetime | None:
    """Combine ``time_key`` with ``date_key``, or with the first fallback date (noted)."""
    clock = parse_tm(ds.get(time_key))
    if clock is None:
        return None
    day = parse_da(ds.get(date_key))
    if day is None:
        day = parse_da(ds.get(fallbacks[0])) or parse_da(ds.get(fallbacks[1]))
        if day is None:
            return None
        notes.append(note)
    return datetime.combine(day, clock)


def _series_datetime(ds: Dataset, notes: list[str]) -> datetime | None:
    return _date_and_time(
        ds,
        "SeriesTime",
        "SeriesDate",
        ("AcquisitionDate", "StudyDate"),
        "(0008,0021) Series Date is missing; the acquisition or study date was used",
        notes,
    )


def _acquisition(ds: Dataset, notes: list[str]) -> datetime | None:
    parsed = parse_dt(ds.get("AcquisitionDateTime"))
    if parsed is not None and parsed[1] is not None:
        return datetime.combine(parsed[0], parsed[1])
    return _date_and_time(
        ds,
        "AcquisitionTime",
        "AcquisitionDate",
        ("SeriesDate", "StudyDate"),
        "(0008,0022) Acquisition Date is missing; the series or study date was used",
        notes,
    )


def _private_float(
    ds: Dataset, group: int, creator: str, offset: int, label: str, notes: list[str]
) -> float | None:
    found = find_private(ds, group, creator, offset)
    if found.fallback and found.tag is not None:
        notes.append(
            f"{label}: group {group:04X} has no private creator, so "
            f"({found.tag >> 16:04X},{found.tag & 0xFFFF:04X}) was read as "
            f"'{creator}' data"
        )
    return parse_float(found.value)


def _slice(ds: Dataset, source: str | None, notes: list[str]) -> SliceRecord:
    slope = parse_float(ds.get("RescaleSlope"))
    intercept = parse_float(ds.get("RescaleIntercept"))
    ge = find_private(ds, 0x0009, GE_CREATOR, 0x0D)
    ge_time: datetime | None = None
    parsed = parse_dt(ge.value)
    if parsed is not None and parsed[1] is not None:
        ge_time = datetime.combine(parsed[0], parsed[1])
        if ge.fallback:
            notes.append(
                f"{GE_SCAN}: group 0009 has no private creator, so (0009,100D) "
                f"was read as '{GE_CREATOR}' data"
            )
    frames = _int(ds.get("NumberOfFrames"))
    return SliceRecord(
        sop_instance_uid=text_value(ds, "SOPInstanceUID"),
        instance_number=_int(ds.get("InstanceNumber")),
        source=source,
        acquisition=_acquisition(ds, notes),
        frame_reference_time_ms=parse_float(ds.get("FrameReferenceTime")),
        actual_frame_duration_ms=parse_float(ds.get("ActualFrameDuration")),
        rescale_slope=1.0 if slope is None else slope,
        rescale_intercept=0.0 if intercept is None else intercept,
        philips_suv_factor=_private_float(ds, 0x7053, PHILIPS_CREATOR, 0x00, PHILIPS_SUV, notes),
        philips_activity_factor=_private_float(
            ds, 0x7053, PHILIPS_CREATOR, 0x09, PHILIPS_ACTIVITY, notes
        ),
        ge_scan_datetime=ge_time,
        number_of_frames=1 if frames is None else frames,
    )


def _series_value(keyword: str) -> Callable[[Dataset], Any]:
    def get(ds: Dataset) -> Any:
        return text_value(ds, keyword) or ""

    return get


def _number(keyword: str) -> Callable[[Dataset], Any]:
    def get(ds: Dataset) -> Any:
        return parse_float(ds.get(keyword))

    return get


def _pharm_number(keyword: str) -> Callable[[Dataset], Any]:
    def get(ds: Dataset) -> Any:
        items = _pharm_items(ds)
        return parse_float(items[0].get(keyword)) if items else None

    return get


_SERIES_LEVEL: tuple[tuple[str, Callable[[Dataset], Any]], ...] = (
    ("(0020,000E) Series Instance UID", _series_value("SeriesInstanceUID")),
    ("(0054,1001) Units", _series_value("Units")),
    ("(0054,1006) SUV Type", _series_value("SUVType")),
    ("(0054,1102) Decay Correction", _series_value("DecayCorrection")),
    ("(0028,0051) Corrected Image", _codes),
    ("(0008,0021) Series Date", _series_value("SeriesDate")),
    ("(0008,0031) Series Time", lambda ds: parse_tm(ds.get("SeriesTime"))),
    ("(0010,1030) Patient's Weight", _number("PatientWeight")),
    ("(0010,1020) Patient's Size", _number("PatientSize")),
    ("(0010,0040) Patient's Sex", _series_value("PatientSex")),
    ("(0018,1074) Radionuclide Total Dose", _pharm_number("RadionuclideTotalDose")),
    ("(0018,1075) Radionuclide Half Life", _pharm_number("RadionuclideHalfLife")),
    (
        "(0018,1078) Radiopharmaceutical Start DateTime",
        _pharm("RadiopharmaceuticalStartDateTime"),
    ),
    ("(0018,1072) Radiopharmaceutical Start Time", _pharm("RadiopharmaceuticalStartTime")),
)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "\\".join(value)
    if isinstance(value, float):
        return f"{value:.12g}"
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _conflict(
    label: str, getter: Callable[[Dataset], Any], datasets: Sequence[Dataset]
) -> str | None:
    seen: dict[str, None] = {}
    for ds in datasets:
        seen[_shown(getter(ds))] = None
        if len(seen) > 1:
            shown = ", ".join(v if v else "(empty)" for v in list(seen)[:2])
            return f"{label} differs between files of one series ({shown})"
    return None
