"""Write sample datasets byte for byte the way the scanner does."""

from __future__ import annotations

import os
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset as _write_body
from pydicom.filewriter import write_file_meta_info

from elscint_codec.samples._common import IMPLICIT_VR_LITTLE_ENDIAN, check_options

__all__ = ["dataset_bytes", "write_dataset"]


def dataset_bytes(ds: Dataset) -> bytes:
    """Return the complete file (preamble, file meta, data set) for ``ds``.

    The data set is encoded Explicit VR Little Endian, whatever the file meta Transfer
    Syntax UID says (the private syntax of the scanner is explicit VR little endian);
    only Implicit VR Little Endian is written implicit. Sequences and items have
    defined lengths, as on the scanner.

    Raises
    ------
    ValueError
        If ``ds`` has no file meta or a transfer syntax the writer cannot produce.
    """
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:
        raise ValueError("the dataset has no file meta (0002,0010) 'Transfer Syntax UID'")
    syntax = str(meta.TransferSyntaxUID)
    check_options("private", syntax, 0x10)
    fp = DicomBytesIO()
    fp.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(fp, meta, enforce_standard=True)
    fp.is_little_endian = True
    fp.is_implicit_VR = syntax == IMPLICIT_VR_LITTLE_ENDIAN
    _write_body(fp, ds)
    return bytes(fp.getvalue())


def write_dataset(ds: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``ds`` to ``path`` (parents created) exactly like the scanner; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(dataset_bytes(ds))
    return target
