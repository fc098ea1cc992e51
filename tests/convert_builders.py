"""Small Elscint and standard DICOM files for the converter tests.

Built with pydicom and the project's encoders so the tests do not depend on
the sample generator; images are tiny (a few hundred pixels) to keep tests
fast.  Each file carries what a GEMINI header has that matters to a byte
splicer: sequences of defined and undefined length, several ELSCINT1
private blocks, OW private data, a second private creator in group 07A1 and
trailing padding after Pixel Data's position.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence

import elscint_codec

PRIVATE_TS = "1.3.46.670589.33.1.4.1"
EXPLICIT = "1.2.840.10008.1.2.1"
IMPLICIT = "1.2.840.10008.1.2"
CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
SC_STORAGE = "1.2.840.10008.5.1.4.1.1.7"
STREAM = 0x07A1100A
TYPE = 0x07A11011


def uid(*parts: object) -> str:
    """Return a deterministic test UID under 2.25."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return "2.25." + str(int.from_bytes(digest[:15], "big"))


def grey_image(seed: int, rows: int = 16, columns: int = 12) -> np.ndarray:
    """Return a smooth-ish 12-bit image (exercises deltas, runs and absolute values)."""
    rng = np.random.default_rng(seed)
    base = np.cumsum(rng.integers(-40, 41, size=(rows, columns)), axis=1) + 1000
    base[rows // 2, :] = 0  # a run of equal values
    base[0, 0] = 4095
    return np.clip(base, 0, 4095).astype(np.uint16)


def rgb_image(seed: int, rows: int = 8, columns: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=(rows, columns, 3), dtype=np.uint8)
    image[: rows // 2] = image[: rows // 2, :1]  # some grey-ish repeats
    return image


def _header(ds: Dataset, seed: int, patient: str, patient_id: str) -> None:
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.StudyDate = "20190628"
    ds.StudyTime = "095513"
    ds.Manufacturer = "Philips"
    ds.StudyDescription = "Body"
    ds.PatientName = patient
    ds.PatientID = patient_id
    ds.PatientWeight = "58"
    item = Dataset()
    item.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    item.ReferencedSOPInstanceUID = "1906289110"
    ds.ReferencedStudySequence = Sequence([item])
    image_item = Dataset()
    image_item.ReferencedSOPClassUID = CT_STORAGE
    image_item.ReferencedSOPInstanceUID = uid("ref", seed)
    ds.ReferencedImageSequence = Sequence([image_item])
    ds["ReferencedImageSequence"].is_undefined_length = True
    image_item.is_undefined_length_sequence_item = True
    block = ds.private_block(0x00E1, "ELSCINT1", create=True)
    block.add_new(0x01, "US", 1)
    block.add_new(0x40, "SH", "bone")
    block = ds.private_block(0x01F7, "ELSCINT1", create=True)
    block.add_new(0x11, "OW", bytes(range(24)) * 3)
    block.add_new(0x22, "UI", uid("private", seed))


def elscint_dataset(
    seed: int = 0,
    *,
    rows: int = 16,
    columns: int = 12,
    kind: str = "PMSCT_RLE1",
    patient: str = "DOE^JOHN",
    patient_id: str = "PID1",
    study: str = "study-1",
    series: str = "series-1",
    series_number: int = 7,
    instance: int | None = None,
    sop_instance_uid: str | None = None,
    modality: str = "CT",
    block: int = 0x10,
    planar: int = 0,
    in_pixel_data: bool = False,
) -> tuple[Dataset, np.ndarray]:
    """Return an Elscint dataset and the image its stream encodes."""
    ds = Dataset()
    _header(ds, seed, patient, patient_id)
    rgb = kind == "PMSCT_RGB1"
    ds.SOPClassUID = SC_STORAGE if rgb else CT_STORAGE
    ds.SOPInstanceUID = sop_instance_uid or uid("sop", study, series, seed)
    ds.Modality = "OT" if rgb else modality
    ds.StudyInstanceUID = uid("study", study)
    ds.SeriesInstanceUID = uid("series", study, series)
    ds.SeriesNumber = series_number
    ds.InstanceNumber = seed + 1 if instance is None else instance
    ds.ImagePositionPatient = [-100, -100, 3.0 * seed]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.5, 0.5]
    ds.Rows, ds.Columns = rows, columns
    if rgb:
        image = rgb_image(seed, rows, columns)
        stream = elscint_codec.pmsct_rgb1_encode(image)
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "RGB"
        ds.PlanarConfiguration = planar
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    else:
        image = grey_image(seed, rows, columns)
        stream = elscint_codec.pmsct_rle1_encode(image)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.RescaleIntercept, ds.RescaleSlope = "-1024", "1"
    ds.PixelRepresentation = 0
    if block != 0x10:  # another vendor's block first, so ELSCINT1 is not at 0x10
        other = ds.private_block(0x07A1, "OTHER VENDOR", create=True)
        other.add_new(0x0A, "OB", b"\x01\x02")
        other.add_new(0x11, "CS", "NOTME")
    private = ds.private_block(0x07A1, "ELSCINT1", create=True)
    if in_pixel_data:
        ds.add_new(0x7FE00010, "OB", stream)
    else:
        private.add_new(0x0A, "OB", stream)
    private.add_new(0x10, "LO", "3.5")
    private.add_new(0x11, "CS", kind)
    ds.private_block(0x7FDF, "ELSCINT1", create=True).add_new(0x01, "LO", "x")
    ds.add_new(0xFFFCFFFC, "OB", bytes(8))
    return ds, image


def _save(ds: Dataset, path: Path, *, implicit: bool) -> None:
    """Write a Part 10 file with pydicom 3 or (best effort) 2.4."""
    if pydicom.__version__.startswith("2."):
        ds.is_implicit_VR, ds.is_little_endian = implicit, True
        ds.preamble = bytes(128)
        ds.save_as(path, write_like_original=False)
    else:
        ds.save_as(path, enforce_file_format=True, implicit_vr=implicit, little_endian=True)


def write(ds: Dataset, path: Path, *, ts: str = PRIVATE_TS, implicit: bool = False) -> Path:
    """Write ``ds`` as a Part 10 file with transfer syntax ``ts``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    _save(ds, path, implicit=implicit)
    return path


def elscint_file(path: Path, seed: int = 0, **kwargs: object) -> np.ndarray:
    """Write an Elscint file; return its image."""
    ts = str(kwargs.pop("ts", PRIVATE_TS))
    implicit = bool(kwargs.pop("implicit", False))
    ds, image = elscint_dataset(seed, **kwargs)  # type: ignore[arg-type]
    write(ds, path, ts=ts, implicit=implicit)
    return image


def standard_file(path: Path, seed: int = 0, *, series: str = "std") -> bytes:
    """Write a standard (native) CT file; return its bytes."""
    ds, image = elscint_dataset(seed, series=series)
    del ds[0x07A10010:0x07A20000]
    ds.PixelData = image.astype("<u2").tobytes()
    ds["PixelData"].VR = "OW"
    write(ds, path, ts=EXPLICIT)
    return path.read_bytes()


def dicomdir_file(path: Path) -> Path:
    """Write a minimal DICOMDIR."""
    ds = Dataset()
    ds.FileSetID = "TEST"
    ds.DirectoryRecordSequence = Sequence([])
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = EXPLICIT
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
    ds.file_meta.MediaStorageSOPInstanceUID = uid("dicomdir")
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(ds, path, implicit=False)
    return path


def read(path: Path) -> Dataset:
    """Read ``path`` with plain pydicom."""
    return pydicom.dcmread(path)


def dicom_files(root: Path) -> dict[str, bytes]:
    """Return {relative path: bytes} of every DICOM file under ``root`` (reports, PNG excluded)."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in (".csv", ".json", ".png"):
            if path.name.startswith(".elscint-"):
                continue
            data = path.read_bytes()
            if data[128:132] == b"DICM":
                found[path.relative_to(root).as_posix()] = data
    return found


def make_tree(root: Path, *, ct: int = 4, pet: int = 3) -> dict[str, Path]:
    """Write a small mixed study tree; return the interesting paths by name.

    ``CT/IM*`` Elscint CT, ``PT/IM*`` Elscint PET, ``SC/RGB`` an RGB1 capture,
    ``std/IM1`` a standard file, ``DICOMDIR``, ``notes.txt``.
    """
    paths: dict[str, Path] = {}
    for index in range(ct):
        paths[f"ct{index}"] = root / "CT" / f"IM{index + 1}"
        elscint_file(paths[f"ct{index}"], index, series="ct")
    for index in range(pet):
        paths[f"pt{index}"] = root / "PT" / f"IM{index + 1}"
        elscint_file(paths[f"pt{index}"], 100 + index, series="pt", modality="PT", series_number=8)
    paths["rgb"] = root / "SC" / "RGB"
    elscint_file(paths["rgb"], 200, kind="PMSCT_RGB1", series="sc")
    paths["std"] = root / "std" / "IM1"
    standard_file(paths["std"], 300)
    paths["dicomdir"] = dicomdir_file(root / "DICOMDIR")
    paths["notes"] = root / "notes.txt"
    paths["notes"].write_text("scanned at night\n", encoding="utf-8")
    return paths


def report_rows(output: Path) -> list[dict[str, str]]:
    """Return the rows of OUTPUT/elscint-report.csv."""
    import csv

    with open(output / "elscint-report.csv", encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def by_name(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """Index report rows by the input's path relative to its source (last two parts)."""
    return {"/".join(Path(row["input"]).parts[-2:]): row for row in rows}


def double_or_die(task: str) -> str:
    """Pool test function: a worker process dies on the task ``"die"``."""
    import os

    if task == "die":
        os._exit(3)
    return task * 2
