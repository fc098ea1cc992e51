"""Scan geometry shared by the CT and PET series: fields of view and slice depths."""

from __future__ import annotations

__all__ = [
    "CT_FOV_MM",
    "CT_SLICE_MM",
    "PET_FOV_MM",
    "PET_SLICE_MM",
    "check_shape",
    "check_slice",
    "ct_depth",
    "pet_depth",
    "pixel_spacing",
]

#: Reconstruction diameter of the CT series (mm).
CT_FOV_MM = 500.0
#: Slice thickness and spacing of the CT series (mm).
CT_SLICE_MM = 3.0
#: Field of view of the 144 x 144 PET series (mm): 4 mm pixels.
PET_FOV_MM = 576.0
#: Slice thickness and spacing of the PET series (mm).
PET_SLICE_MM = 4.0
#: Depth below the vertex (mm) of the centre of the scanned range (the heart).
SCAN_CENTRE_MM = 470.0
_FIRST_MM = 15.0


def check_slice(index: int, slices: int) -> None:
    """Raise ValueError unless ``0 <= index < slices``; TypeError for non-ints."""
    for name, value in (("index", index), ("slices", slices)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if slices < 1:
        raise ValueError(f"slices must be >= 1, got {slices}")
    if not 0 <= index < slices:
        raise ValueError(f"index must be in 0..{slices - 1}, got {index}")


def check_shape(rows: int, columns: int) -> None:
    """Raise ValueError unless rows and columns are in 1..65535; TypeError for non-ints."""
    for name, value in (("rows", rows), ("columns", columns)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if not 1 <= value <= 65535:
            raise ValueError(f"{name} must be in 1..65535, got {value}")


def _depth(index: int, slices: int, spacing: float) -> float:
    check_slice(index, slices)
    first = SCAN_CENTRE_MM - (slices - 1) * spacing / 2.0
    first = max(_FIRST_MM, round(first * 2.0) / 2.0)
    return first + index * spacing


def ct_depth(index: int, slices: int) -> float:
    """Return the depth below the vertex (mm) of CT slice ``index`` of ``slices``."""
    return _depth(index, slices, CT_SLICE_MM)


def pet_depth(index: int, slices: int) -> float:
    """Return the depth below the vertex (mm) of PET slice ``index`` of ``slices``."""
    return _depth(index, slices, PET_SLICE_MM)


def pixel_spacing(fov_mm: float, rows: int, columns: int) -> float:
    """Return the square pixel spacing (mm) that fits the field of view in the larger side."""
    return fov_mm / max(rows, columns)
