"""Build PET test datasets for the SUV tests.

``pet_series(...)`` makes a list of pydicom datasets (one per slice) from
DICOM keywords; radiopharmaceutical keywords go into the Radiopharmaceutical
Information Sequence. ``None`` leaves an element out. The published cases are
in ``suv_published_cases.py``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

P = ParamSpec("P")
R = TypeVar("R")

PET_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
ELSCINT_TS = "1.3.46.670589.33.1.4.1"
PHARM_KEYS = (
    "Radiopharmaceutical",
    "RadiopharmaceuticalStartTime",
    "RadiopharmaceuticalStartDateTime",
    "RadionuclideTotalDose",
    "RadionuclideHalfLife",
)

#: A plain, valid F-18 BQML/START series: 70 kg, 1.75 m, M, 370 MBq at 10:00:00,
#: scan at 11:00:00 on 2021-03-04, every file acquired at 11:00:00.
BASE: dict[str, Any] = {
    "PatientName": "SUV^TEST",
    "PatientID": "SUV001",
    "PatientSex": "M",
    "PatientWeight": "70",
    "PatientSize": "1.75",
    "StudyDate": "20210304",
    "StudyTime": "095000",
    "SeriesDate": "20210304",
    "SeriesTime": "110000",
    "AcquisitionDate": "20210304",
    "AcquisitionTime": "110000",
    "Modality": "PT",
    "Manufacturer": "Philips Medical Systems",
    "Units": "BQML",
    "DecayCorrection": "START",
    "CorrectedImage": ["ATTN", "DECY"],
    "FrameReferenceTime": "60000",
    "ActualFrameDuration": "120000",
    "RescaleSlope": "1",
    "RescaleIntercept": "0",
    "SeriesNumber": "3",
    "SeriesDescription": "PET WB",
    "Radiopharmaceutical": "FDG",
    "RadionuclideTotalDose": "370000000",
    "RadionuclideHalfLife": "6586.2",
    "RadiopharmaceuticalStartTime": "100000",
}


def _allow_long_ds(build: Callable[P, R]) -> Callable[P, R]:
    """Run ``build`` with pydicom's warning about too long DS values silenced."""

    @functools.wraps(build)
    def quiet(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings():
            # published values such as "0.453901487278775" are longer than DS allows
            warnings.filterwarnings("ignore", category=UserWarning, module=r"pydicom\.")
            return build(*args, **kwargs)

    return quiet


@_allow_long_ds
def pet_series(
    count: int = 3,
    *,
    per_slice: Mapping[str, Sequence[Any]] | None = None,
    philips: Mapping[str, Any] | None = None,
    philips_block: int = 0x10,
    foreign_creator: tuple[int, str] | None = None,
    ge_scan: str | None = None,
    ge_creator: bool = True,
    pixels: Sequence[np.ndarray] | None = None,
    study_uid: str | None = None,
    series_uid: str | None = None,
    base: Mapping[str, Any] | None = BASE,
    **attrs: Any,
) -> list[Dataset]:
    """Return ``count`` PET datasets.

    Parameters
    ----------
    per_slice : mapping keyword -> one value per slice
    philips : {"suv": value, "activity": value} for (7053,xx00) / (7053,xx09);
        a value may also be a list with one value per slice
    philips_block : block byte of "Philips PET Private Group" (None: no creator)
    foreign_creator : (block, name) of another creator in group 7053, whose
        (7053,<block>00) holds a decoy value 123.0
    ge_scan : value of GE (0009,xx0D) scan_datetime
    pixels : one 2-D uint16/int16 array per slice (default 4 x 4 ramp)
    """
    merged: dict[str, Any] = dict(base or {})
    merged.update(attrs)
    study_uid = study_uid or generate_uid()
    series_uid = series_uid or generate_uid()
    frame_uid = generate_uid()
    result = []
    for index in range(count):
        values = dict(merged)
        for key, column in (per_slice or {}).items():
            values[key] = column[index]
        ds = Dataset()
        pharm = Dataset()
        for key, value in values.items():
            if value is None:
                continue
            if key in PHARM_KEYS:
                setattr(pharm, key, value)
            else:
                setattr(ds, key, value)
        if len(pharm):
            ds.RadiopharmaceuticalInformationSequence = DicomSequence([pharm])
        ds.SOPClassUID = PET_STORAGE
        ds.SOPInstanceUID = generate_uid()
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = frame_uid
        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [0.0, 0.0, float(index) * 4.0]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        if philips is not None:
            _add_philips(ds, philips, index, philips_block, foreign_creator)
        if ge_scan is not None:
            if ge_creator:
                ds.add_new(0x00090010, "LO", "GEMS_PETD_01")
            ds.add_new(0x0009100D, "DT", ge_scan)
        image = pixels[index] if pixels is not None else _ramp(index)
        _set_pixels(ds, image)
        result.append(ds)
    return result


def _add_philips(
    ds: Dataset,
    philips: Mapping[str, Any],
    index: int,
    block: int | None,
    foreign: tuple[int, str] | None,
) -> None:
    if foreign is not None:
        ds.add_new(0x70530000 | foreign[0], "LO", foreign[1])
        ds.add_new(0x70530000 | (foreign[0] << 8), "DS", "123.0")
    base = 0x10 if block is None else block
    if block is not None:
        ds.add_new(0x70530000 | block, "LO", "Philips PET Private Group")
    for key, offset in (("suv", 0x00), ("activity", 0x09)):
        value = philips.get(key)
        if isinstance(value, (list, tuple)):
            value = value[index]
        if value is not None:
            ds.add_new(0x70530000 | (base << 8) | offset, "DS", str(value))


def _ramp(index: int) -> np.ndarray:
    return (np.arange(16, dtype=np.uint16).reshape(4, 4) * 100 + index * 7).astype(np.uint16)


def _set_pixels(ds: Dataset, image: np.ndarray) -> None:
    ds.Rows, ds.Columns = image.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1 if image.dtype == np.int16 else 0
    ds.PixelData = image.astype("<u2" if image.dtype != np.int16 else "<i2").tobytes()


def write_series(
    folder: Path,
    datasets: Sequence[Dataset],
    *,
    elscint_ts: bool = False,
    implicit: bool = False,
    prefix: str = "IM",
) -> list[Path]:
    """Write datasets as Part 10 files: Explicit VR LE, the Elscint transfer syntax
    (explicit VR) or Implicit VR LE (private elements then read back as UN)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, ds in enumerate(datasets, start=1):
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        syntax = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
        ds.file_meta.TransferSyntaxUID = ELSCINT_TS if elscint_ts else syntax
        path = folder / f"{prefix}{number:04d}.dcm"
        ds.save_as(path, enforce_file_format=True, implicit_vr=implicit, little_endian=True)
        paths.append(path)
    return paths
