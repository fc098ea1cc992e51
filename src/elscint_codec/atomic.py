"""Write files so that a reader never sees a partial one.

Every file is written to a temporary name with the one fixed prefix
:data:`~elscint_codec.constants.TEMP_PREFIX` in its target folder, flushed to
disk and renamed over the target.  A killed run leaves at worst a temporary
file, which the converter removes on its next run.
"""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from elscint_codec.constants import TEMP_PREFIX

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

__all__ = ["dataset_bytes", "temporary_path", "write_bytes", "write_dataset", "write_text"]


def temporary_path(target: Path) -> Path:
    """Return a fresh temporary name next to ``target``."""
    return target.with_name(f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}-{target.name}")


def write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (temporary file, fsync, rename)."""
    temporary = temporary_path(target)
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` atomically."""
    write_bytes(target, text.encode("utf-8"))


def dataset_bytes(ds: Dataset) -> bytes:
    """Return ``ds`` encoded as a DICOM file (preamble, file meta, data set)."""
    import pydicom

    buffer = io.BytesIO()
    if pydicom.__version__.startswith("2."):
        ds.save_as(buffer, write_like_original=False)
    else:
        pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def write_dataset(target: Path, ds: Dataset) -> None:
    """Write ``ds`` as a DICOM file to ``target`` atomically."""
    write_bytes(target, dataset_bytes(ds))
