"""Decode the Elscint stream of a scanned file into the bytes of a Pixel Data value."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from elscint_codec.codec import pmsct_rgb1_decode, pmsct_rle1_decode
from elscint_codec.constants import COMPRESSION_TYPES, PMSCT_RGB1, PMSCT_RLE1
from elscint_codec.converter.header import Header
from elscint_codec.converter.scan import UNDEFINED, tag_text
from elscint_codec.errors import DatasetError, ElscintWarning, UnsupportedError

__all__ = ["RGB1", "RLE1", "Decoded", "check_supported", "decode_pixels"]

RLE1 = PMSCT_RLE1
RGB1 = PMSCT_RGB1
_SHAPES = COMPRESSION_TYPES


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded image ready to become (7FE0,0010).

    Attributes
    ----------
    value : memoryview
        Pixel Data value without the pad byte, little-endian, in the layout
        Planar Configuration declares (a view of the decoded array, no copy).
    vr : str
        ``OW`` for 16-bit, ``OB`` for 8-bit.
    compression : str
        The compression type decoded.
    notes : tuple of str
        Recoverable oddities (e.g. ignored trailing bytes), in plain words.
    """

    value: memoryview
    vr: str
    compression: str
    notes: tuple[str, ...]


def check_supported(header: Header) -> str:
    """Return the compression type of ``header``, or raise if it cannot be decoded.

    Raises
    ------
    UnsupportedError
        Multi-frame images, other bit depths, unknown compression types.
    DatasetError
        Missing Image Pixel elements, or a compression type that contradicts them.
    """
    if header.frames > 1:
        raise UnsupportedError(
            f"multi-frame image ((0028,0008) Number of Frames = {header.frames}): only "
            "single-frame Elscint images are supported"
        )
    if not header.rows or not header.columns:
        missing = "(0028,0010) Rows" if not header.rows else "(0028,0011) Columns"
        raise DatasetError(f"{missing} is missing or zero, so the image size is unknown")
    shape = (header.samples, header.bits_allocated)
    kind = header.compression
    if not kind:
        kind = next((name for name, wanted in _SHAPES.items() if wanted == shape), "")
        if not kind:
            raise UnsupportedError(
                f"no (07A1,xx11) compression type and an image of {header.samples} sample(s) "
                f"of {header.bits_allocated} bits, which no known Elscint compression stores"
            )
    if kind not in _SHAPES:
        raise UnsupportedError(
            f"unknown compression type '{kind}' in (07A1,xx11); known types are {RLE1} and {RGB1}"
        )
    samples, bits = _SHAPES[kind]
    if header.samples not in (0, samples) or (header.samples == 0 and samples != 1):
        raise DatasetError(
            f"(07A1,xx11) says '{kind}' but (0028,0002) Samples per Pixel is "
            f"{header.samples}; {kind} stores {samples} sample(s) per pixel"
        )
    if header.bits_allocated != bits:
        raise UnsupportedError(
            f"{kind} image with (0028,0100) Bits Allocated = {header.bits_allocated}: "
            f"only {bits}-bit {kind} images are supported"
        )
    return kind


def _stream_range(header: Header) -> tuple[int, int]:
    stream = header.stream
    if stream is None:
        raise DatasetError("no Elscint compressed stream in this file")
    if stream.length == UNDEFINED:
        raise UnsupportedError(
            f"{tag_text(stream.tag)} holds the Elscint stream encapsulated (undefined "
            "length); only a plain value can be decoded"
        )
    return stream.value_start, stream.value_end


def decode_pixels(buf: Any, header: Header) -> Decoded:
    """Decode the Elscint stream of ``header`` found in ``buf``.

    Raises
    ------
    TruncatedDataError, DecodeError
        The stream is damaged.
    UnsupportedError, DatasetError
        See :func:`check_supported`.
    """
    kind = check_supported(header)
    start, end = _stream_range(header)
    # The stream is decoded straight from the (mapped) file; both views are released
    # on the way out, so none outlives the call, not even through a traceback.
    with (
        memoryview(buf) as whole,
        whole[start:end] as stream,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always", ElscintWarning)
        if kind == RLE1:
            image = pmsct_rle1_decode(stream, header.rows, header.columns)
            value = image.astype("<u2", copy=False).reshape(-1).view(np.uint8).data
            vr = "OW"
        else:
            rgb = pmsct_rgb1_decode(stream, header.rows, header.columns)
            if header.planar_configuration == 1:
                rgb = np.ascontiguousarray(rgb.transpose(2, 0, 1))
            value = rgb.reshape(-1).data
            vr = "OB"
    notes = tuple(str(w.message) for w in caught if issubclass(w.category, ElscintWarning))
    return Decoded(value, vr, kind, notes)
