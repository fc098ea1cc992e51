"""Decode into caller-provided byte buffers, without numpy.

The layer between the compiled kernels (:mod:`elscint_codec._core`) and
everything above them: it applies the PMSCT_RLE1 raw-length rule and turns a
kernel's status tuple into :class:`~elscint_codec.errors.TruncatedDataError`
or a note about ignored trailing bytes.  :mod:`elscint_codec.codec` (numpy
arrays) and the converter (plain ``bytearray`` written straight to disk, so a
conversion never imports numpy) both decode through here.
"""

from __future__ import annotations

from typing import Any

from elscint_codec import _core
from elscint_codec.errors import TruncatedDataError

__all__ = ["rgb1_decode_into", "rle1_decode_into"]

_Outcome = tuple[int, int, int, int, int]


def _outcome_note(name: str, outcome: _Outcome, size: int, npix: int) -> str:
    """Raise for a truncated stream; return the note about ignored bytes ('' if none)."""
    status, pixels, offset, tail, tail_offset = outcome
    if status == _core.TRUNCATED:
        where = (
            f"the {size}-byte stream ended"
            if offset == size
            else f"the stream ends inside the escape or token starting at byte {offset}"
        )
        raise TruncatedDataError(
            f"{name} stream truncated: {where} after {pixels} of {npix} pixels",
            offset,
            npix,
            pixels,
        )
    if tail == _core.TAIL_EXCESS:
        return (
            f"{name}: the image was complete at byte {tail_offset} of {size}; "
            f"the remaining {size - tail_offset} byte(s) were ignored"
        )
    return ""


def rle1_decode_into(data: memoryview, out: Any) -> str:
    """Decode a PMSCT_RLE1 stream into ``out``, one native 16-bit value per pixel.

    Parameters
    ----------
    data : memoryview
        The stored stream, C-contiguous, format ``B``.
    out : writable buffer
        C-contiguous, format ``H`` (a memoryview or a ``uint16`` array): one
        element per pixel.  A stream of exactly two bytes per element is raw
        little-endian data and is copied.

    Returns
    -------
    str
        '' or a plain-words note that bytes after the complete image were ignored.

    Raises
    ------
    TruncatedDataError
        The stream ends before the last pixel is complete.
    """
    npix = len(out)
    if len(data) == 2 * npix:
        _core.raw16_into(data, out)
        return ""
    return _outcome_note("PMSCT_RLE1", _core.rle1_decode_into(data, out), len(data), npix)


def rgb1_decode_into(data: memoryview, out: Any) -> str:
    """Decode a PMSCT_RGB1 stream into ``out``, three interleaved bytes per pixel.

    Parameters
    ----------
    data : memoryview
        The stored stream, C-contiguous, format ``B``.
    out : writable buffer
        C-contiguous bytes (a memoryview or a ``uint8`` array): R, G, B per pixel.

    Returns
    -------
    str
        '' or a plain-words note that bytes after the complete image were ignored.

    Raises
    ------
    TruncatedDataError
        The stream ends before the last pixel is complete.
    """
    npix = len(out) // 3
    return _outcome_note("PMSCT_RGB1", _core.rgb1_decode_into(data, out), len(data), npix)
