"""Read, convert, de-identify and quantify Philips/Elscint private DICOM.

The buffer API decodes PMSCT_RLE1 and PMSCT_RGB1 streams::

    >>> import elscint_codec
    >>> sorted(n for n in elscint_codec.__all__ if n.startswith("pmsct"))
    ['pmsct_rgb1_decode', 'pmsct_rgb1_encode', 'pmsct_rle1_decode', 'pmsct_rle1_encode']
"""

from __future__ import annotations

from elscint_codec._version import __version__
from elscint_codec.codec import (
    pmsct_rgb1_decode,
    pmsct_rgb1_encode,
    pmsct_rle1_decode,
    pmsct_rle1_encode,
)
from elscint_codec.errors import (
    DatasetError,
    DecodeError,
    ElscintError,
    ElscintWarning,
    TruncatedDataError,
    UnsupportedError,
)

__all__ = [
    "DatasetError",
    "DecodeError",
    "ElscintError",
    "ElscintWarning",
    "TruncatedDataError",
    "UnsupportedError",
    "__version__",
    "pmsct_rgb1_decode",
    "pmsct_rgb1_encode",
    "pmsct_rle1_decode",
    "pmsct_rle1_encode",
]
