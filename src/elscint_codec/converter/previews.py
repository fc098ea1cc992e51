"""PNG previews of the middle slice of each series, so a user sees at a glance
that the images are right.

Previews are rendered from the written output files, read with plain
pydicom: CT through a soft-tissue window (W400/L40 in Hounsfield units),
PET inverted (dark = high uptake) and scaled to the 99.5th percentile,
colour images as they are, anything else between its 0.5th and 99.5th
percentiles.  Pillow is optional; without it previews are skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from elscint_codec.converter.layout import safe_component

__all__ = ["PREVIEW_FOLDER", "PreviewTask", "have_pillow", "middle", "render", "write_preview"]

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
    import pydicom
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset = pydicom.dcmread(Path(task.output, *task.source.split("/")))
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
