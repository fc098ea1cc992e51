"""Anatomy-like CT slices: stored values of a 12-bit GEMINI CT with intercept -1024."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from elscint_codec.samples._anatomy import TABLE_Y, Section, section
from elscint_codec.samples._geometry import (
    CT_FOV_MM,
    check_shape,
    ct_depth,
    pixel_spacing,
)
from elscint_codec.samples._identity import check_seed, rng_for
from elscint_codec.samples._paint import Canvas
from elscint_codec.samples._raster import FloatImage, blur121, smooth_noise

__all__ = ["CT_INTERCEPT", "ct_hounsfield", "ct_slice_pixels", "hounsfield_at"]

#: Rescale Intercept of the CT series.
CT_INTERCEPT = -1024
_AIR_HU = -1012.0
_AIR_NOISE_HU = 6.0
_BODY_NOISE_HU = 30.0
_TABLE = (
    Section("table", 160, 0.0, 0.0, TABLE_Y + 6.0, 215.0, 4.0, 0.0),
    Section("table", -850, 0.0, 0.0, TABLE_Y + 14.0, 200.0, 4.5, 0.0),
    Section("table", 300, 0.0, 0.0, TABLE_Y + 21.0, 205.0, 2.5, 0.0),
)


def hounsfield_at(
    seed: int, depth: float, rows: int, columns: int, *, fov_mm: float = CT_FOV_MM, noise: int
) -> FloatImage:
    """Return CT numbers (HU, float32) of the section at ``depth`` mm below the vertex.

    Parameters
    ----------
    seed : int
        Study seed (the patient).
    depth : float
        Depth below the vertex (mm).
    rows, columns : int
        Image size; the field of view spans the larger side.
    fov_mm : float
        Reconstruction diameter (mm).
    noise : int
        Key of the noise realisation (the slice number).
    """
    check_seed(seed)
    check_shape(rows, columns)
    spacing = pixel_spacing(fov_mm, rows, columns)
    canvas = Canvas(rows, columns, spacing, _AIR_HU, ct=True)
    for sec in _TABLE:
        canvas.paint(sec, body=False)
    for sec in section(seed, depth):
        canvas.paint(sec)
    rng = rng_for(seed, "ct", noise, rows, columns)
    shape = (rows, columns)
    tex = smooth_noise(rng, shape, 2)
    fine = smooth_noise(rng, shape, 1)
    vessels = np.clip(smooth_noise(rng, shape, 1) - 1.0, 0.0, None)
    w = canvas.weights
    hu = canvas.hu
    hu += w["soft"] * (7.0 * tex)
    hu += w["fat"] * (4.0 * tex)
    hu += w["lung"] * (25.0 * tex + 450.0 * vessels)
    hu += w["bone"] * (90.0 * fine + 40.0 * tex)
    hu = blur121(hu, 1)
    # Quantum noise, white (a sharp kernel), lower in air than through the body.
    sigma = _AIR_NOISE_HU + (_BODY_NOISE_HU - _AIR_NOISE_HU) * blur121(canvas.body, 2)
    hu += sigma * smooth_noise(rng, shape, 0)
    return hu


def ct_hounsfield(
    seed: int, index: int, rows: int = 512, columns: int = 512, *, slices: int = 16
) -> FloatImage:
    """Return the CT numbers (HU, float32) of slice ``index`` of a series of ``slices``."""
    return hounsfield_at(seed, ct_depth(index, slices), rows, columns, noise=index)


def ct_slice_pixels(
    seed: int, index: int, rows: int = 512, columns: int = 512, *, slices: int = 16
) -> npt.NDArray[np.uint16]:
    """Return the stored values of CT slice ``index`` (uint16, Bits Stored 12).

    Stored = HU + 1024, clipped to 0..4095: air about 0..24, soft tissue about 1064,
    cortical bone up to about 2500.

    Parameters
    ----------
    seed : int
        Study seed; the same seed gives the same patient.
    index : int
        Slice number, 0 = most cranial.
    rows, columns : int
        Image size (the field of view is 500 mm across the larger side).
    slices : int
        Number of slices of the series; the range is centred on the heart.

    Returns
    -------
    numpy.ndarray
        uint16 array of shape (rows, columns).
    """
    hu = ct_hounsfield(seed, index, rows, columns, slices=slices)
    stored = np.rint(hu - CT_INTERCEPT)
    return np.clip(stored, 0, 4095).astype(np.uint16)
