"""PNG previews of the middle slice of each series, so a user sees at a glance
that the images are right.

Previews are rendered from the written output files: CT through a
soft-tissue window (W400/L40 in Hounsfield units), PET inverted (dark = high
uptake) and scaled to the 99.5th percentile, colour images as they are,
anything else between its 0.5th and 99.5th percentiles.  The native images
the converter writes (16-bit grey, 8-bit RGB) are read with its own element
scanner, which saves importing pydicom for one file per series; any other
file is read with plain pydicom.  Pillow is optional; without it previews
are skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from elscint_codec.converter.header import Header, read_header
from elscint_codec.converter.layout import safe_component
from elscint_codec.converter.scan import UNDEFINED, parse
from elscint_codec.errors import DatasetError

__all__ = [
    "PREVIEW_FOLDER",
    "NativeImage",
    "PreviewTask",
    "have_pillow",
    "middle",
    "read_native",
    "render",
    "write_preview",
]

PREVIEW_FOLDER = "previews"
CT_WINDOW = (40.0, 400.0)  # level, width in HU
_LOG = logging.getLogger("elscint_codec.converter")


def have_pillow() -> bool:
    """Whether Pillow is installed."""
    return importlib.util.find_spec("PIL") is not None


@dataclass(frozen=True, slots=True)
class PreviewTask:
    """Render ``source`` (an output file) of one series to ``OUTPUT/previews``."""

    output: str
    source: str
    series_uid: str
    overwrite: bool


def middle(members: list[str]) -> str:
    """Return the middle element of a series ordered by slice position."""
    return members[(len(members) - 1) // 2]


def _scaled(values: npt.NDArray[np.float64], low: float, high: float) -> npt.NDArray[np.uint8]:
    if high <= low:
        high = low + 1.0
    scaled = np.clip((values - low) / (high - low), 0.0, 1.0) * 255.0
    return np.round(scaled).astype(np.uint8)


def render(dataset: object) -> npt.NDArray[np.uint8]:
    """Return an 8-bit grey (rows, columns) or RGB (rows, columns, 3) preview of ``dataset``."""
    pixels = np.asarray(dataset.pixel_array)  # type: ignore[attr-defined]
    if pixels.ndim == 3 and pixels.shape[-1] == 3:
        return pixels.astype(np.uint8)
    slope = float(getattr(dataset, "RescaleSlope", 1) or 1)
    intercept = float(getattr(dataset, "RescaleIntercept", 0) or 0)
    values = pixels.astype(np.float64) * slope + intercept
    modality = str(getattr(dataset, "Modality", "")).upper()
    if modality == "CT":
        level, width = CT_WINDOW
        return _scaled(values, level - width / 2, level + width / 2)
    if modality in ("PT", "NM"):
        high = float(np.percentile(values, 99.5))
        return np.asarray(255 - _scaled(values, 0.0, high), dtype=np.uint8)
    low, high = (float(v) for v in np.percentile(values, [0.5, 99.5]))
    return _scaled(values, low, high)


@dataclass(frozen=True)
class NativeImage:
    """The few attributes :func:`render` and the file name need, read without pydicom."""

    pixel_array: npt.NDArray[Any]
    Modality: str
    PatientID: str
    SeriesNumber: str
    SeriesDescription: str
    RescaleSlope: float
    RescaleIntercept: float


def _decimal(text: str, default: float) -> float | None:
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        return None  # let pydicom have its say


def _pixels(data: bytes, header: Header, photometric: str) -> npt.NDArray[Any] | None:
    rows, columns, samples = header.rows, header.columns, header.samples or 1
    pixel = header.pixel_data
    if pixel is None or pixel.length == UNDEFINED or header.frames != 1:
        return None
    if samples == 1 and header.bits_allocated == 16:
        dtype = np.dtype("<i2" if header.pixel_representation else "<u2")
    elif samples == 3 and header.bits_allocated == 8 and photometric == "RGB":
        dtype = np.dtype("u1")
    else:
        return None
    count = rows * columns * samples
    if not count or pixel.value_end - pixel.value_start < count * dtype.itemsize:
        return None
    flat: npt.NDArray[Any] = np.frombuffer(
        data, dtype=dtype, count=count, offset=pixel.value_start
    )
    if samples == 3:
        if header.planar_configuration == 1:
            interleaved: npt.NDArray[Any] = np.moveaxis(flat.reshape(3, rows, columns), 0, -1)
            return interleaved
        return flat.reshape(rows, columns, 3)
    image = flat.reshape(rows, columns)
    unused = 16 - header.bits_stored
    if 0 < unused < 16:  # as pydicom does: clear the unused bits, or extend the sign
        shifted = image.astype(np.int16 if header.pixel_representation else np.uint16) << unused
        image = (shifted >> unused).astype(dtype)
    return image


def read_native(path: Path) -> NativeImage | None:
    """Read a native Explicit/Implicit VR Little Endian image; None for anything else."""
    data = path.read_bytes()
    try:
        parsed = parse(data)
        if not parsed.walkable:
            return None
        header = read_header(data, parsed)
    except (ValueError, DatasetError):
        return None
    if header.elscint:
        return None

    def ascii_value(tag: int) -> str:
        element = parsed.find(tag)
        if element is None or element.length == UNDEFINED or element.vr == "SQ":
            return ""
        raw = data[element.value_start : element.value_end]
        return raw.decode("ascii", "replace").strip("\0 ")

    pixels = _pixels(data, header, ascii_value(0x00280004))
    slope = _decimal(ascii_value(0x00281053), 1.0)
    intercept = _decimal(ascii_value(0x00281052), 0.0)
    number = ascii_value(0x00200011)
    if pixels is None or slope is None or intercept is None or "\\" in number:
        return None
    return NativeImage(
        pixels,
        Modality=ascii_value(0x00080060),
        PatientID=header.patient_id,
        SeriesNumber=number,
        SeriesDescription=header.series_description,
        RescaleSlope=slope or 1.0,
        RescaleIntercept=intercept,
    )


def _read(path: Path) -> object:
    native = read_native(path)
    if native is not None:
        return native
    import pydicom

    return pydicom.dcmread(path)


def _name(dataset: object, series_uid: str) -> str:
    parts = [
        str(getattr(dataset, "PatientID", "") or ""),
        str(getattr(dataset, "Modality", "") or ""),
        str(getattr(dataset, "SeriesNumber", "") or ""),
        str(getattr(dataset, "SeriesDescription", "") or ""),
        hashlib.sha256(series_uid.encode()).hexdigest()[:6],
    ]
    return safe_component(" ".join(p for p in parts if p), fallback="series") + ".png"


def write_preview(task: PreviewTask) -> str | None:
    """Write the preview of one series; return its path, or None if it failed.

    Never raises for a bad image: a preview is a convenience.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset = _read(Path(task.output, *task.source.split("/")))
            target = Path(task.output, PREVIEW_FOLDER, _name(dataset, task.series_uid))
            if target.exists() and not task.overwrite:
                return str(target)
            image = render(dataset)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(".elscint-tmp-" + target.name)
        Image.fromarray(image).save(temp, format="PNG")
        temp.replace(target)
    except Exception as exc:  # noqa: BLE001 - a failed preview must not fail the run
        _LOG.warning("no preview for %s: %s", task.source, exc)
        return None
    return str(target)
