"""Keyed, consistent UID replacement (PS3.15 action U).

A new UID is ``2.25.`` followed by the decimal value of a 128-bit UUID (PS3.5 B.2).
The UUID's bits are the first 16 bytes of HMAC-SHA256(key, original UID) with the
RFC 9562 version 8 ("custom") and variant bits set, so the same original UID gives
the same new UID in every file, folder and run that uses the same key, and nobody
without the key can link a new UID to the original (an unkeyed hash could be
reversed by hashing candidate UIDs).
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["UidRemapper", "is_well_known_uid"]

_VERSION_MASK = 0xF << 76
_VERSION_8 = 0x8 << 76
_VARIANT_MASK = 0xC << 60
_VARIANT_RFC = 0x8 << 60
_DICOM_ROOT = "1.2.840.10008."


def is_well_known_uid(uid: str) -> bool:
    """Return whether ``uid`` is defined by the DICOM standard (e.g. a SOP Class UID).

    Such UIDs identify nothing about a patient and are never remapped (PS3.15 E.3.9
    note 4).
    """
    return uid.startswith(_DICOM_ROOT)


class UidRemapper:
    """Map original UIDs to new ``2.25`` UIDs with a secret key.

    Parameters
    ----------
    key : bytes
        Secret sub-key (see `elscint_codec.deid.keys.derive`).
    """

    __slots__ = ("_cache", "_key")

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the UID key must be at least 16 bytes")
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, uid: str) -> str:
        """Return the new UID for ``uid``; standard and empty UIDs come back unchanged.

        Parameters
        ----------
        uid : str
            Original UID; trailing NUL/space padding is ignored.
        """
        text = str(uid).strip("\x00 ")
        if not text or is_well_known_uid(text):
            return text
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        digest = hmac.new(self._key, text.encode("ascii", "replace"), hashlib.sha256).digest()
        value = int.from_bytes(digest[:16], "big")
        value = (value & ~_VERSION_MASK) | _VERSION_8
        value = (value & ~_VARIANT_MASK) | _VARIANT_RFC
        new = f"2.25.{value}"
        if len(self._cache) < 1_000_000:
            self._cache[text] = new
        return new
