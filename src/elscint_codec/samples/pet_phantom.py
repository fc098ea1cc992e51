"""Activity-like PET slices in Bq/ml (BQML, decay corrected to the series start)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from elscint_codec.samples._anatomy import section
from elscint_codec.samples._geometry import PET_FOV_MM, check_shape, pet_depth, pixel_spacing
from elscint_codec.samples._identity import check_seed, rng_for, study_facts, suvbw_factor
from elscint_codec.samples._paint import Canvas
from elscint_codec.samples._raster import blur121, smooth_noise
from elscint_codec.samples._values import format_ds

__all__ = [
    "PET_MAX_STORED",
    "activity_at",
    "pet_slice_activity",
    "pet_slice_pixels",
    "quantize_pet",
]

#: Stored value of the hottest pixel of each PET slice.
PET_MAX_STORED = 32767
_NOISE = 0.25  # relative noise at SUV 1 (Poisson-like: relative noise ~ 1 / sqrt(SUV))
_BACKGROUND_SUV = 0.03  # scatter and randoms residue outside the body


def activity_at(
    seed: int, depth: float, rows: int, columns: int, *, noise: int
) -> npt.NDArray[np.float64]:
    """Return activity concentrations (Bq/ml, float64) of the section at ``depth`` mm.

    Parameters
    ----------
    seed : int
        Study seed (the patient, dose and timing).
    depth : float
        Depth below the vertex (mm).
    rows, columns : int
        Image size; the 576 mm field of view spans the larger side.
    noise : int
        Key of the noise realisation (the slice number).
    """
    check_seed(seed)
    check_shape(rows, columns)
    facts = study_facts(seed)
    canvas = Canvas(rows, columns, pixel_spacing(PET_FOV_MM, rows, columns), 0.0, ct=False)
    for sec in section(seed, depth):
        canvas.paint(sec)
    rng = rng_for(seed, "pet", noise, rows, columns)
    shape = (rows, columns)
    suv = canvas.suv * (1.0 + 0.1 * smooth_noise(rng, shape, 1) * canvas.body)
    suv = blur121(suv + np.float32(_BACKGROUND_SUV) * canvas.body, 1)
    # Poisson-like noise, then the scanner's resolution and the reconstruction filter
    # correlate it over a few pixels.
    suv += _NOISE * np.sqrt(suv + np.float32(0.02)) * smooth_noise(rng, shape, 0)
    suv = np.clip(blur121(suv, 2), 0.0, None)
    per_suv = 1.0 / suvbw_factor(facts.weight_kg, facts.dose_bq, facts.injection, facts.pet_start)
    return suv.astype(np.float64) * per_suv


def pet_slice_activity(
    seed: int, index: int, rows: int = 144, columns: int = 144, *, slices: int = 16
) -> npt.NDArray[np.float64]:
    """Return the activity (Bq/ml) of PET slice ``index`` of a series of ``slices``."""
    return activity_at(seed, pet_depth(index, slices), rows, columns, noise=index)


def quantize_pet(activity: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.uint16], str]:
    """Return stored values and the Rescale Slope (DS text) of one PET slice.

    The slope is chosen per slice so that the hottest pixel is stored as 32767; the
    stored values are rounded with the slope exactly as written in the header.
    """
    peak = float(np.max(activity))
    slope = format_ds(peak / PET_MAX_STORED if peak > 0 else 1.0)
    stored = np.rint(activity / float(slope))
    return np.clip(stored, 0, 65535).astype(np.uint16), slope


def pet_slice_pixels(
    seed: int, index: int, rows: int = 144, columns: int = 144, *, slices: int = 16
) -> npt.NDArray[np.uint16]:
    """Return the stored values of PET slice ``index`` (uint16, 16 bits stored).

    Multiply by the slice's Rescale Slope (see :func:`quantize_pet`) to get Bq/ml.

    Parameters
    ----------
    seed : int
        Study seed; the same seed gives the same patient.
    index : int
        Slice number, 0 = most cranial.
    rows, columns : int
        Image size (576 mm field of view across the larger side).
    slices : int
        Number of slices of the series; the range is centred on the heart.
    """
    return quantize_pet(pet_slice_activity(seed, index, rows, columns, slices=slices))[0]
