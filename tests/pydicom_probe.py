"""What plain pydicom does with a list of files, as JSON-friendly data.

Runs both in a child without elscint_codec (see :mod:`plain_pydicom`) and in
the test process with the plugin registered, so the two can be compared.
Imports only pydicom and numpy.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pydicom

PYDICOM_V3 = int(pydicom.__version__.split(".")[0]) >= 3


def _outcome(action: Callable[[], Any]) -> dict[str, Any]:
    """Run ``action``; describe its array (or exception) and the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = action()
        except Exception as exc:  # noqa: BLE001 - record whatever pydicom raises
            result: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
        else:
            result = describe(value)
    result["warnings"] = sorted(f"{w.category.__name__}: {w.message}" for w in caught)
    return result


def describe(value: Any) -> dict[str, Any]:
    """Return dtype, shape and SHA-256 of an array (or of bytes)."""
    if isinstance(value, np.ndarray):
        return {
            "dtype": value.dtype.str,
            "shape": list(value.shape),
            "sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
        }
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": len(value), "sha256": hashlib.sha256(value).hexdigest()}
    return {"value": repr(value)}


def _decompressed(path: str) -> dict[str, Any]:
    ds = pydicom.dcmread(path)
    before = ds.get("SOPInstanceUID")
    ds.decompress()
    return {
        "ts": str(ds.file_meta.TransferSyntaxUID),
        "vr": ds["PixelData"].VR,
        "photometric": str(ds.get("PhotometricInterpretation")),
        "planar": ds.get("PlanarConfiguration"),
        "pixel_data": describe(ds.PixelData),
        "new_uid": ds.get("SOPInstanceUID") != before,
    }


def behaviour(path: str) -> dict[str, Any]:
    """Describe ``ds.pixel_array``, ``pixels.pixel_array(path)`` and ``ds.decompress()``."""
    result = {"pixel_array": _outcome(lambda: pydicom.dcmread(path).pixel_array)}
    result["decompress"] = _outcome(lambda: _decompressed(path))
    if PYDICOM_V3:
        from pydicom.pixels import iter_pixels, pixel_array

        result["pixels.pixel_array"] = _outcome(lambda: pixel_array(path))
        result["iter_pixels"] = _outcome(lambda: np.stack(list(iter_pixels(path))))
    return result


def read(path: str, index: int, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Return header facts of ``path``; put its pixel array into ``arrays``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = pydicom.dcmread(path)
        arrays[str(index)] = ds.pixel_array
    meta = ds.file_meta
    return {
        "ts": str(meta.TransferSyntaxUID),
        "sop_instance_uid": str(ds.SOPInstanceUID),
        "media_sop_instance_uid": str(meta.MediaStorageSOPInstanceUID),
        "uids": {e.keyword: str(e.value) for e in ds if e.VR == "UI"},
        "pixel_vr": ds["PixelData"].VR,
        "private_07a1": sorted(f"{int(e.tag):08X}" for e in ds if e.tag.group == 0x07A1),
    }


def run(task: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run ``task`` ("read" or "behaviour") over ``arguments["paths"]``."""
    paths: list[str] = arguments["paths"]
    if task == "behaviour":
        return {"files": {path: behaviour(path) for path in paths}}
    arrays: dict[str, np.ndarray] = {}
    files = [read(path, index, arrays) for index, path in enumerate(paths)]
    np.savez(arguments["arrays"], **arrays)
    return {"files": files}
