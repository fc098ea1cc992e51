"""Re-read a written file with plain pydicom and check it (``--verify``).

The output is native Explicit VR Little Endian, so pydicom reads its Pixel
Data bytes without any decoder: the check never goes through this package's
codec or plugin.  It compares the SHA-256 of the value read back (without the
pad byte) with the hash of the decoded image, and checks the transfer
syntax, the UIDs and that no compressed stream is left behind.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from elscint_codec.converter.scan import EXPLICIT_VR_LITTLE_ENDIAN

__all__ = ["value_hash", "verify_copy", "verify_standard"]


def value_hash(value: bytes, expected: int | None) -> str:
    """Return the SHA-256 of a Pixel Data ``value`` without its pad byte.

    The pad byte is the one extra byte of a value whose natural length
    ``expected`` is odd.
    """
    if expected is not None and expected % 2 and len(value) == expected + 1:
        value = value[:expected]
    return hashlib.sha256(value).hexdigest()


def verify_standard(
    path: Path,
    *,
    pixel_sha256: str,
    sop_instance_uid: str,
    pixel_bytes: int | None,
    removed: tuple[int, ...] = (),
    syntax: str | None = EXPLICIT_VR_LITTLE_ENDIAN,
) -> str | None:
    """Return what is wrong with the file at ``path``, or None if it is right.

    Parameters
    ----------
    path : Path
        The written file.
    pixel_sha256 : str
        SHA-256 of the Pixel Data value as it should be (without the pad byte).
    sop_instance_uid : str
        The SOP Instance UID it must carry (also in its file meta).
    pixel_bytes : int or None
        Natural length of a native Pixel Data value, checked when given.
    removed : tuple of int
        Tags that must not be present (the compressed stream and its type).
    syntax : str or None
        Transfer syntax it must have (None: any).
    """
    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dataset = pydicom.dcmread(path)
        except Exception as exc:  # noqa: BLE001 - any failure to read is the finding
            return f"pydicom cannot read the written file ({type(exc).__name__})"
    found = str(dataset.file_meta.get("TransferSyntaxUID", ""))
    if syntax is not None and found != syntax:
        return f"transfer syntax read back is {found!r}, not {syntax}"
    uid = str(dataset.get("SOPInstanceUID", ""))
    if uid != sop_instance_uid:
        return "the SOP Instance UID read back differs from the one written"
    if str(dataset.file_meta.get("MediaStorageSOPInstanceUID", "")) != uid:
        return "(0002,0003) Media Storage SOP Instance UID differs from the SOP Instance UID"
    for tag in removed:
        if tag != 0x7FE00010 and tag in dataset:
            return f"the compressed stream or compression type ({tag:08X}) is still present"
    if "PixelData" not in dataset:
        return "no (7FE0,0010) Pixel Data in the written file"
    value = bytes(dataset["PixelData"].value)
    if pixel_bytes is not None and len(value) not in (pixel_bytes, pixel_bytes + 1):
        return f"Pixel Data read back has {len(value)} bytes, expected {pixel_bytes}"
    if value_hash(value, pixel_bytes) != pixel_sha256:
        return "the Pixel Data read back differs from the decoded image (SHA-256 mismatch)"
    return None


def verify_copy(path: Path, fingerprint: str) -> str | None:
    """Return what is wrong with a copied file, or None if its bytes equal the input's."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != fingerprint:
        return "the copy differs from the input (SHA-256 mismatch)"
    return None
