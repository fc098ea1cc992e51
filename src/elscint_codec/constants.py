"""Names and numbers of the Philips/Elscint private pixel format.

Kept free of pydicom and numpy imports so that ``import elscint_codec`` stays
cheap; see ``docs/pydicom.md``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMPRESSION_TYPES",
    "COMPRESSION_TYPE_OFFSET",
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
    "PMSCT_RGB1",
    "PMSCT_RLE1",
    "PRIVATE_CREATOR",
    "PRIVATE_GROUP",
    "PRIVATE_TRANSFER_SYNTAX",
    "STREAM_OFFSET",
    "TEMP_PREFIX",
]

PRIVATE_TRANSFER_SYNTAX: Final = "1.3.46.670589.33.1.4.1"
"""Transfer Syntax UID "CT Private ELE": explicit VR little endian data set."""

PRIVATE_CREATOR: Final = "ELSCINT1"
"""Private creator that reserves the block holding the compressed stream."""

PRIVATE_GROUP: Final = 0x07A1
"""Group of the private block."""

STREAM_OFFSET: Final = 0x0A
"""Element offset of the compressed stream (VR OB) inside the private block."""

COMPRESSION_TYPE_OFFSET: Final = 0x11
"""Element offset of the compression type (VR CS) inside the private block."""

PMSCT_RLE1: Final = "PMSCT_RLE1"
"""Compression type of 16-bit, one-sample images."""

PMSCT_RGB1: Final = "PMSCT_RGB1"
"""Compression type of 8-bit, three-sample (RGB) images."""

COMPRESSION_TYPES: Final = {PMSCT_RLE1: (1, 16), PMSCT_RGB1: (3, 8)}
"""Samples per Pixel and Bits Allocated that each compression type requires."""

IMPLEMENTATION_CLASS_UID: Final = "2.25.76446371002064055454145278748277078951"
"""Implementation Class UID (0002,0012) of every file this package writes.

The 2.25 form of uuid5(NAMESPACE_URL,
"https://pypi.org/project/elscint-codec/#implementation-class-uid"), derived
once and fixed here.
"""

IMPLEMENTATION_VERSION_NAME: Final = "ELSCINT_0.1"
"""Implementation Version Name (0002,0013): SH, at most 16 characters."""

TEMP_PREFIX: Final = ".elscint-tmp-"
"""Every temporary file the package creates starts with this; see ``atomic``."""
