"""Best-effort pixel data handler for pydicom's old backend (pydicom 2.x).

This module is itself the handler object that :func:`install` appends to
``pydicom.config.pixel_data_handlers``: pydicom 2.4 (and pydicom 3 with
``use_v2_backend=True``) calls :func:`get_pixeldata` for datasets whose
transfer syntax the handler supports.  It claims the private transfer syntax
and the two little-endian native ones; a native dataset that is not an
Elscint image is passed to pydicom's own NumPy handler, so that pydicom's
result, or its exception, is unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from elscint_codec import dicom
from elscint_codec.constants import PMSCT_RGB1, PRIVATE_TRANSFER_SYNTAX

__all__ = [
    "DEPENDENCIES",
    "HANDLER_NAME",
    "get_pixeldata",
    "install",
    "is_available",
    "needs_to_convert_to_RGB",
    "should_change_PhotometricInterpretation_to_RGB",
    "supports_transfer_syntax",
]

HANDLER_NAME = "elscint_codec"
DEPENDENCIES = {"numpy": ("https://numpy.org/", "NumPy")}
_NATIVE = ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1")  # implicit and explicit VR LE


def is_available() -> bool:
    """Handler protocol: numpy is a hard dependency, so always True."""
    return True


def supports_transfer_syntax(transfer_syntax: str) -> bool:
    """Handler protocol: the private syntax, and native LE syntaxes for the fallback."""
    return transfer_syntax == PRIVATE_TRANSFER_SYNTAX or transfer_syntax in _NATIVE


def needs_to_convert_to_RGB(ds: Dataset) -> bool:  # noqa: N802 - pydicom's name
    """Handler protocol: decoded RGB1 pixels are already RGB."""
    return False


def should_change_PhotometricInterpretation_to_RGB(ds: Dataset) -> bool:  # noqa: N802
    """Handler protocol: Photometric Interpretation is never changed."""
    return False


def get_pixeldata(ds: Dataset) -> npt.NDArray[Any]:
    """Handler protocol: return the stored values as a 1-D array.

    The values are in the layout Planar Configuration declares, because
    pydicom 2 reshapes the array according to it; bits above Bits Stored are
    left as stored, as pydicom 2 does for native data.
    """
    if not dicom.is_elscint(ds):
        from pydicom.pixel_data_handlers import numpy_handler

        result: npt.NDArray[Any] = numpy_handler.get_pixeldata(ds)
        return result
    info = dicom.image_info(ds)
    array = dicom.image_array(info, correct_unused_bits=False)
    if info.compression == PMSCT_RGB1 and info.planar_configuration == 1:
        array = np.ascontiguousarray(array.transpose(2, 0, 1))
    return array.reshape(-1)


def install() -> list[Callable[[], None]]:
    """Append this handler to ``pydicom.config.pixel_data_handlers`` if that exists.

    Returns
    -------
    list of callables
        Call them to undo the change.
    """
    from pydicom import config

    handlers: list[Any] | None = getattr(config, "pixel_data_handlers", None)
    if handlers is None:  # pydicom >= 4 has no old backend
        return []
    module = sys.modules[__name__]
    if module in handlers:
        return []
    handlers.append(module)

    def remove() -> None:
        while module in handlers:
            handlers.remove(module)

    return [remove]
