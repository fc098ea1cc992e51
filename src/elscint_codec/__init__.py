"""Read, convert, de-identify and quantify Philips/Elscint private DICOM.

The buffer API decodes PMSCT_RLE1 and PMSCT_RGB1 streams::

    >>> import elscint_codec
    >>> sorted(n for n in elscint_codec.__all__ if n.startswith("pmsct"))
    ['pmsct_rgb1_decode', 'pmsct_rgb1_encode', 'pmsct_rle1_decode', 'pmsct_rle1_encode']

Importing the package registers the pydicom plugin (at once if pydicom is
loaded, else when pydicom is first imported); :func:`register` and
:func:`unregister` do it by hand.  The buffer API (numpy), the dataset
functions (:func:`pixel_array`, :func:`decompress`, :func:`find_stream`,
:func:`compression_type`, :func:`is_elscint`) and the converter
(:func:`convert`, :class:`ConvertOptions`, :class:`Summary`,
:class:`Progress`) are loaded on first use, so that ``import elscint_codec``
imports neither numpy nor pydicom (a conversion needs neither).
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from elscint_codec._version import __version__
from elscint_codec.constants import (
    PMSCT_RGB1,
    PMSCT_RLE1,
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
    PRIVATE_TRANSFER_SYNTAX,
)
from elscint_codec.errors import (
    DatasetError,
    DecodeError,
    ElscintError,
    ElscintWarning,
    TruncatedDataError,
    UnsupportedError,
)
from elscint_codec.plugin import register, unregister

if TYPE_CHECKING:
    from elscint_codec.codec import (
        pmsct_rgb1_decode,
        pmsct_rgb1_encode,
        pmsct_rle1_decode,
        pmsct_rle1_encode,
    )
    from elscint_codec.converter import ConvertOptions, Progress, Summary, convert
    from elscint_codec.dicom import (
        compression_type,
        decompress,
        find_stream,
        is_elscint,
        pixel_array,
    )

_LAZY = {
    "pmsct_rgb1_decode": "elscint_codec.codec",
    "pmsct_rgb1_encode": "elscint_codec.codec",
    "pmsct_rle1_decode": "elscint_codec.codec",
    "pmsct_rle1_encode": "elscint_codec.codec",
    "compression_type": "elscint_codec.dicom",
    "decompress": "elscint_codec.dicom",
    "find_stream": "elscint_codec.dicom",
    "is_elscint": "elscint_codec.dicom",
    "pixel_array": "elscint_codec.dicom",
    "convert": "elscint_codec.converter",
    "ConvertOptions": "elscint_codec.converter",
    "Progress": "elscint_codec.converter",
    "Summary": "elscint_codec.converter",
}

__all__ = [
    "PMSCT_RGB1",
    "PMSCT_RLE1",
    "PRIVATE_CREATOR",
    "PRIVATE_GROUP",
    "PRIVATE_TRANSFER_SYNTAX",
    "ConvertOptions",
    "DatasetError",
    "DecodeError",
    "ElscintError",
    "ElscintWarning",
    "Progress",
    "Summary",
    "TruncatedDataError",
    "UnsupportedError",
    "__version__",
    "compression_type",
    "convert",
    "decompress",
    "find_stream",
    "is_elscint",
    "pixel_array",
    "pmsct_rgb1_decode",
    "pmsct_rgb1_encode",
    "pmsct_rle1_decode",
    "pmsct_rle1_encode",
    "register",
    "unregister",
]


def __getattr__(name: str) -> Any:
    """Load the buffer, dataset and converter API (numpy, pydicom) on first use."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'elscint_codec' has no attribute {name!r}")


def _register_on_import() -> None:
    try:
        from elscint_codec.plugin import register_on_import

        register_on_import()
    except Exception as exc:  # noqa: BLE001 - a broken pydicom must not break the codec
        warnings.warn(
            f"elscint_codec could not register its pydicom plugin: {exc!r}",
            RuntimeWarning,
            stacklevel=2,
        )


_register_on_import()
