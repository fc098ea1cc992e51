"""Write a whole synthetic GEMINI TF PET/CT study to a folder."""

from __future__ import annotations

import os
from pathlib import Path

from elscint_codec.samples.ct_series import ct_dataset
from elscint_codec.samples.pet_series import pet_dataset
from elscint_codec.samples.rgb_series import rgb_dataset
from elscint_codec.samples.writer import write_dataset

__all__ = ["write_study"]


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _name(index: int, count: int) -> str:
    return f"IM_{index + 1:0{max(4, len(str(count)))}d}"


def write_study(
    folder: str | os.PathLike[str],
    *,
    seed: int = 0,
    ct_slices: int = 16,
    pet_slices: int = 16,
    rgb: bool = True,
) -> list[Path]:
    """Write a synthetic Philips GEMINI TF PET/CT study and return the files written.

    The files are DICOM without an extension, as the scanner exports them:
    ``folder/CT/IM_0001`` ... (PMSCT_RLE1, 512 x 512), ``folder/PT/IM_0001`` ...
    (PMSCT_RLE1, 144 x 144, BQML) and, with ``rgb``, ``folder/SC/IM_0001`` (a PMSCT_RGB1
    fused screen capture). Existing files of those names are replaced.

    Parameters
    ----------
    folder : str or os.PathLike
        Target folder, created if needed.
    seed : int
        Same seed and package version give identical bytes; another seed gives another
        patient and other UIDs.
    ct_slices, pet_slices : int
        Number of slices of each series (0 leaves the series out); the ranges are
        centred on the heart, 3 mm (CT) and 4 mm (PET) apart.
    rgb : bool
        Also write the fused screen capture.

    Returns
    -------
    list of pathlib.Path
        CT files, then PET files, then the capture, each series in slice order.
    """
    _count("ct_slices", ct_slices)
    _count("pet_slices", pet_slices)
    root = Path(folder)
    written: list[Path] = []
    for index in range(ct_slices):
        ds = ct_dataset(seed, index, slices=ct_slices)
        written.append(write_dataset(ds, root / "CT" / _name(index, ct_slices)))
    for index in range(pet_slices):
        ds = pet_dataset(seed, index, slices=pet_slices)
        written.append(write_dataset(ds, root / "PT" / _name(index, pet_slices)))
    if rgb:
        ds = rgb_dataset(seed, 0, pet_slices=max(pet_slices, 1))
        written.append(write_dataset(ds, root / "SC" / _name(0, 1)))
    return written
