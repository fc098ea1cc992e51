"""A derived PET series whose pixel values are SUVbw.

Every slice is written as a new instance (new Series and SOP Instance UIDs,
same Study and Frame of Reference) with Units ``GML`` and SUV Type ``BW``.
Pixels stay 16-bit: each slice gets its own Rescale Slope so that
``stored x Rescale Slope`` is the SUV (Rescale Intercept 0). The original
files are only read. Private elements are dropped because they describe the
original pixels (Philips scale factors, the Elscint compressed stream).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
from pathlib import Path
from typing import Any

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom.valuerep import format_number_as_ds

from elscint_codec.atomic import write_dataset
from elscint_codec.suv.factors import SUVFactors
from elscint_codec.suv.record import SeriesRecord
from elscint_codec.suv.report import SERIES_FOLDER
from elscint_codec.suv.values import quiet_pydicom

__all__ = ["encode_slice", "suv_series_folder", "write_suv_series"]

_STALE = (
    "WindowCenter", "WindowWidth", "WindowCenterWidthExplanation", "SmallestImagePixelValue",
    "LargestImagePixelValue", "SmallestPixelValueInSeries", "LargestPixelValueInSeries",
    "PixelPaddingValue", "RescaleType", "LossyImageCompression", "LossyImageCompressionRatio",
    "DataSetTrailingPadding",
)  # fmt: skip


def _pixels(ds: Dataset) -> np.ndarray:
    """Stored pixel values; Elscint-compressed data through :mod:`elscint_codec.dicom`."""
    reader: Any = None
    try:
        layer = importlib.import_module("elscint_codec.dicom")
    except ImportError:
        layer = None
    if layer is not None:
        is_elscint = getattr(layer, "is_elscint", None)
        if is_elscint is None or is_elscint(ds):
            reader = getattr(layer, "pixel_array", None)
    array = np.asarray(reader(ds) if reader is not None else ds.pixel_array)
    if array.ndim != 2:
        raise ValueError(f"expected one 2-D image per file, got shape {array.shape}")
    if int(ds.get("PixelRepresentation", 0) or 0) == 1 and array.dtype == np.uint16:
        array = array.view(np.int16)
    return array


def encode_slice(suv: np.ndarray) -> tuple[np.ndarray, float]:
    """Encode SUV values as 16-bit integers and a Rescale Slope.

    Unsigned when no value is negative, else signed. The slope is the value
    written to the file (at most 16 characters), and the integers are rounded
    against exactly that slope.

    Returns
    -------
    (numpy.ndarray, float)
        ``uint16`` or ``int16`` stored values and the slope.
    """
    low, high = float(np.min(suv)), float(np.max(suv))
    signed = low < 0
    top = 32767.0 if signed else 65535.0
    extent = max(abs(low), abs(high))
    slope = float(format_number_as_ds(extent / top)) if extent > 0 else 0.0
    if not slope > 0:  # all zero, or so close to it (subnormal) that the slope underflows
        slope = 1.0
    bump = 1e-9
    while extent / slope > top:  # rounding the slope's text may have made it too small
        # Grow the step each time: with few digits left (large exponents) a
        # tiny step would round back to the same text and never end.
        slope = float(format_number_as_ds(slope * (1 + bump)))
        bump *= 2
    stored = np.rint(suv / slope)
    dtype = np.int16 if signed else np.uint16
    return np.clip(stored, -top - 1 if signed else 0, top).astype(dtype), slope


def suv_series_folder(output: Path, record: SeriesRecord) -> Path:
    """Folder of the derived series of one PET series: stable per PET series."""
    digest = hashlib.sha256((record.series_instance_uid or "").encode()).hexdigest()[:16]
    return output / SERIES_FOLDER / f"SUVbw_{digest}"


def _derive(ds: Dataset, record: SeriesRecord, factors: SUVFactors, index: int) -> Dataset:
    factor = factors.bw[index]
    stored = _pixels(ds).astype(np.float64)
    slope = float(ds.get("RescaleSlope", 1.0) or 1.0)
    intercept = float(ds.get("RescaleIntercept", 0.0) or 0.0)
    values, new_slope = encode_slice((stored * slope + intercept) * factor)
    new = copy.deepcopy(ds)
    new.remove_private_tags()
    for keyword in _STALE:
        if keyword in new:
            del new[keyword]
    original_uid = str(ds.SOPInstanceUID)
    new.SOPInstanceUID = generate_uid(entropy_srcs=["elscint-suv-bw-instance", original_uid])
    new.SeriesInstanceUID = generate_uid(
        entropy_srcs=["elscint-suv-bw-series", record.series_instance_uid or ""]
    )
    new.SeriesNumber = 1000 + (record.series_number or 0)
    new.SeriesDescription = f"SUVbw {record.series_description or ''}".strip()[:64]
    image_type = list(ds.get("ImageType", []) or [])
    new.ImageType = ["DERIVED", "PRIMARY", *image_type[2:]]  # PET: value 2 is PRIMARY
    new.Units = "GML"
    new.SUVType = "BW"
    if record.decay_correction == "NONE":
        # the SUV computed here is decay-corrected to the injection
        new.DecayCorrection = "ADMIN"
        codes = list(record.corrected_image)
        new.CorrectedImage = [*codes, "DECY"] if "DECY" not in codes else codes
        if factors.dose_bq is not None and factors.weight_kg is not None:
            # decay (and in-frame decay) this slice was corrected by, relative to injection
            decay = factor * factors.dose_bq / (factors.weight_kg * 1000.0)
            new.DecayFactor = format_number_as_ds(decay)
    new.BitsAllocated = 16
    new.BitsStored = 16
    new.HighBit = 15
    new.PixelRepresentation = 1 if values.dtype == np.int16 else 0
    new.SamplesPerPixel = 1
    new.RescaleSlope = format_number_as_ds(new_slope)
    new.RescaleIntercept = "0"
    new.WindowCenter = "3"
    new.WindowWidth = "6"
    new.PixelData = values.astype(values.dtype.newbyteorder("<")).tobytes()
    new["PixelData"].VR = "OW"
    source = Dataset()
    source.ReferencedSOPClassUID = ds.SOPClassUID
    source.ReferencedSOPInstanceUID = original_uid
    new.SourceImageSequence = DicomSequence([source])
    new.DerivationDescription = (
        f"SUVbw = (stored x Rescale Slope + Rescale Intercept) x {factor!r} "
        f"(elscint-codec, slice {index + 1})"
    )
    new.file_meta = FileMetaDataset()
    new.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    new.file_meta.MediaStorageSOPInstanceUID = new.SOPInstanceUID
    new.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return new


def write_suv_series(record: SeriesRecord, factors: SUVFactors, output: Path) -> list[Path]:
    """Write the SUVbw series of one PET series under ``output/suv-series/``.

    The files of the series are named by ``record.slices[i].source``.

    Returns
    -------
    list of Path
        The files written, in slice order.
    """
    folder = suv_series_folder(output, record)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, item in enumerate(record.slices):
        if item.source is None:
            raise ValueError("the record does not say which file a slice came from")
        with quiet_pydicom():
            ds = dcmread(item.source)
            new = _derive(ds, record, factors, index)
        target = folder / f"IM_{index + 1:04d}.dcm"
        write_dataset(target, new)
        written.append(target)
    return written
