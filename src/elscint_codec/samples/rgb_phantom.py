"""A fused PET/CT screen capture like a Philips workstation's: grey CT, colour PET, text."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from elscint_codec.samples._font import GLYPH_HEIGHT, GLYPH_WIDTH, draw_text
from elscint_codec.samples._geometry import CT_FOV_MM, PET_FOV_MM, check_shape, pet_depth
from elscint_codec.samples._identity import study_facts, suvbw_factor
from elscint_codec.samples._raster import FloatImage, resize_bilinear
from elscint_codec.samples.ct_phantom import hounsfield_at
from elscint_codec.samples.pet_phantom import activity_at

__all__ = ["SUV_DISPLAY_MAX", "fused_rgb_pixels", "hot_colours"]

#: SUV shown at the top of the colour bar.
SUV_DISPLAY_MAX = 6.0
_WINDOW = (40.0, 400.0)  # CT level and width
_WHITE = (255, 255, 255)
_YELLOW = (255, 220, 0)
_CYAN = (0, 200, 255)


def hot_colours(t: FloatImage) -> FloatImage:
    """Return RGB (0..255, float32, shape + (3,)) of the hot-iron scale for ``t`` in 0..1."""
    t = np.clip(t, 0.0, 1.0)
    rgb = np.stack([np.clip(3.0 * t, 0, 1), np.clip(3.0 * t - 1, 0, 1), np.clip(3 * t - 2, 0, 1)])
    return (np.moveaxis(rgb, 0, -1) * 255.0).astype(np.float32)


def _fused_view(seed: int, index: int, slices: int, side: int) -> npt.NDArray[np.uint8]:
    depth = pet_depth(index, slices)
    hu = hounsfield_at(seed, depth, side, side, noise=100_000 + index)
    level, width = _WINDOW
    grey = np.clip((hu - (level - width / 2.0)) * (255.0 / width), 0.0, 255.0)
    facts = study_facts(seed)
    factor = suvbw_factor(facts.weight_kg, facts.dose_bq, facts.injection, facts.pet_start)
    suv = activity_at(seed, depth, 144, 144, noise=index).astype(np.float32) * np.float32(factor)
    full = max(side, round(side * PET_FOV_MM / CT_FOV_MM))
    start = (full - side) // 2
    suv = resize_bilinear(suv, full, full)[start : start + side, start : start + side]
    t = suv / np.float32(SUV_DISPLAY_MAX)
    alpha = np.clip((t - 0.12) / 0.1, 0.0, 1.0)[..., np.newaxis] * np.float32(0.55)
    fused = grey[..., np.newaxis] * (1.0 - alpha) + hot_colours(t) * alpha
    view: npt.NDArray[np.uint8] = np.rint(fused).astype(np.uint8)
    return view


def _colour_bar(
    image: npt.NDArray[np.uint8], top: int, left: int, height: int, scale: int
) -> None:
    t = np.linspace(1.0, 0.0, height, dtype=np.float32)[:, np.newaxis]
    bar = np.rint(hot_colours(np.repeat(t, 6 * scale, axis=1))).astype(np.uint8)
    image[top : top + height, left : left + 6 * scale] = bar
    grey = np.rint(np.repeat(t, 3 * scale, axis=1) * 255.0).astype(np.uint8)
    image[top : top + height, left + 7 * scale : left + 10 * scale] = grey[..., np.newaxis]
    labels = left + 12 * scale
    draw_text(image, f"{SUV_DISPLAY_MAX:.1f}", top, labels, _YELLOW, scale)
    draw_text(image, "0.0", top + height - GLYPH_HEIGHT * scale, labels, _YELLOW, scale)
    draw_text(image, "SUV", top + height // 2, labels, _WHITE, scale)


def fused_rgb_pixels(
    seed: int,
    index: int | None = None,
    rows: int = 512,
    columns: int = 512,
    *,
    slices: int = 16,
) -> npt.NDArray[np.uint8]:
    """Return a fused PET/CT screen capture (uint8, shape (rows, columns, 3), interleaved).

    Grey CT (soft-tissue window) under a hot-iron PET overlay, a colour bar with a grey
    ramp, and burned-in text in white, yellow and cyan: large grey areas, colour areas
    and sharp text, so that a PMSCT_RGB1 encoder uses both of its modes.

    Parameters
    ----------
    seed : int
        Study seed; the capture shows that patient.
    index : int, optional
        PET slice shown (default: the middle of the series).
    rows, columns : int
        Capture size, at least 64 x 64.
    slices : int
        Number of slices of the PET series.
    """
    check_shape(rows, columns)
    if rows < 64 or columns < 64:
        raise ValueError(f"a screen capture needs at least 64 x 64 pixels, got {rows} x {columns}")
    index = slices // 2 if index is None else index
    depth = pet_depth(index, slices)
    facts = study_facts(seed)
    scale = max(1, min(rows, columns) // 256)
    line = (GLYPH_HEIGHT + 3) * scale
    band = 2 * line + 2 * scale
    bar_space = 12 * scale + 3 * (GLYPH_WIDTH + 1) * scale + 2 * scale
    side = max(16, min(rows - 2 * band, columns - 2 * bar_space))
    top, left = (rows - side) // 2, (columns - side) // 2
    image = np.zeros((rows, columns, 3), dtype=np.uint8)
    image[top : top + side, left : left + side] = _fused_view(seed, index, slices, side)
    _colour_bar(image, top + side // 8, left + side + 2 * scale, side * 3 // 4, scale)
    pad = 2 * scale
    study_date = facts.pet_start.strftime("%Y-%m-%d")
    right = columns - pad

    def width(text: str) -> int:
        return len(text) * (GLYPH_WIDTH + 1) * scale - scale

    draw_text(image, "GEMINI TF  PET/CT FUSION", pad, pad, _WHITE, scale)
    draw_text(image, f"{facts.patient_name}  {facts.patient_id}", pad + line, pad, _CYAN, scale)
    draw_text(image, study_date, pad, right - width(study_date), _WHITE, scale)
    bottom = rows - pad - GLYPH_HEIGHT * scale
    draw_text(
        image, f"CT W {_WINDOW[1]:.0f} L {_WINDOW[0]:.0f}", bottom - line, pad, _WHITE, scale
    )
    draw_text(image, f"PET SUV 0-{SUV_DISPLAY_MAX:.0f}  BLEND 55%", bottom, pad, _YELLOW, scale)
    position = f"Z {-depth:.1f} MM"
    draw_text(image, position, bottom, right - width(position), _WHITE, scale)
    return image
