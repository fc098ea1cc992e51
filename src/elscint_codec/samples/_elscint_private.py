"""The ELSCINT1 private blocks of a GEMINI CT slice (groups 00E1, 01F1, 01F7).

Element set, VRs and value lengths follow one real slice (see
``reference/gemini_ct_header.txt`` in the project's shared notes). The binary OW blobs
hold scanner data nobody has decoded; they are filled with deterministic synthetic words
that start with the first word seen in the real slice.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pydicom.dataset import Dataset

from elscint_codec.samples._common import ELSCINT_CREATOR
from elscint_codec.samples._identity import derive_uid, rng_for

__all__ = ["add_ct_private_blocks", "add_pet_private_block"]

# (element, length in bytes, first 16-bit word) of the OW blobs of group 01F7.
_BLOBS_01F7 = (
    (0x11, 488, 0x7C93), (0x13, 136, 0x3A43), (0x14, 108, 0x0000), (0x15, 188, 0x02A0),
    (0x16, 40, 0x772C), (0x17, 8, 0x0000), (0x18, 228, 0x0000), (0x19, 2160, 0x0000),
    (0x1A, 28, 0x0000), (0x1B, 1272, 0x02A0), (0x1C, 116, 0x0001), (0x1E, 364, 0x0000),
    (0x1F, 148, 0x0000), (0x23, 4, 0x0016), (0x25, 12, 0x0005), (0x26, 13076, 0xF22D),
    (0x27, 36, 0xC000), (0x29, 440, 0x4000), (0x2B, 36, 0x0008), (0x2C, 656, 0x0000),
    (0x2D, 8, 0x0000), (0x2E, 128, 0x0100), (0x30, 16, 0x0000), (0x70, 584, 0x0001),
    (0x74, 288, 0x0000), (0x75, 136, 0x0001),
)  # fmt: skip


@lru_cache(maxsize=128)
def _blob(seed: int, element: int, length: int, first: int) -> bytes:
    """Return ``length`` bytes: ``first`` then small words, about half of them zero."""
    rng = rng_for(seed, "01f7", element)
    words = rng.integers(0, 1024, size=length // 2, dtype=np.uint16)
    words[rng.random(words.size) < 0.5] = 0
    words[0] = first
    return words.astype("<u2").tobytes()


def _block(ds: Dataset, group: int) -> int:
    """Add the ELSCINT1 creator of ``group`` at element 0x10 and return the tag base."""
    ds.add_new((group, 0x0010), "LO", ELSCINT_CREATOR)
    return (group << 16) | 0x1000


def add_ct_private_blocks(ds: Dataset, seed: int, index: int, description: str) -> None:
    """Add the 00E1, 01F1 and 01F7 ELSCINT1 blocks of CT slice ``index``."""
    e1 = _block(ds, 0x00E1)
    ds.add_new(e1 | 0x01, "US", 1)
    ds.add_new(e1 | 0x22, "DS", ["0", "0"])
    ds.add_new(e1 | 0x23, "DS", ["1", "1"])
    ds.add_new(e1 | 0x3F, "CS", "PETCT")
    ds.add_new(e1 | 0x40, "SH", description)
    ds.add_new(e1 | 0x42, "LO", "")
    ds.add_new(e1 | 0x61, "LO", "SAMPLE_Multi_1002_usr.proc")
    ds.add_new(e1 | 0x63, "SH", "ENGLISH")
    ds.add_new(e1 | 0xC2, "UI", derive_uid(seed, "00e1", "c2"))
    f1 = _block(ds, 0x01F1)
    for element, vr, value in (
        (0x01, "CS", "SLICES"), (0x02, "CS", "STANDARD"), (0x03, "CS", "FUSED"),
        (0x04, "CS", "HIGH"), (0x08, "DS", "168"), (0x0A, "US", 0),
        (0x0C, "DS", ["0", "0.064000003"]), (0x0D, "DS", "0"), (0x0E, "FL", 0.0),
        (0x27, "DS", "1.5"), (0x28, "DS", "24"), (0x30, "US", 8),
        (0x32, "CS", "RIGHT_ON_LEFT"), (0x33, "DS", "3.3"), (0x42, "SH", "No"),
        (0x44, "OW", _blob(seed, 0x144, 644, 0xAAAA)), (0x46, "FL", 1.5), (0x47, "SH", "2D"),
        (0x49, "DS", "500"), (0x4A, "SH", "NONE"), (0x4B, "SH", "16x1.5"),
        (0x4C, "SH", "NO"), (0x4D, "SH", "NO"), (0x4E, "LO", "Body"),
    ):  # fmt: skip
        ds.add_new(f1 | element, vr, value)
    f7 = _block(ds, 0x01F7)
    ds.add_new(f7 | 0x10, "OB", b"\x00\x00")
    for element, length, first in _BLOBS_01F7:
        ds.add_new(f7 | element, "OW", _blob(seed, element, length, first))
    ds.add_new(f7 | 0x22, "UI", derive_uid(seed, "01f7", "22", index))


def add_pet_private_block(ds: Dataset) -> None:
    """Add a short 00E1 ELSCINT1 block to a PET slice (our assumption: no PET sample seen)."""
    e1 = _block(ds, 0x00E1)
    ds.add_new(e1 | 0x01, "US", 1)
    ds.add_new(e1 | 0x3F, "CS", "PETCT")
