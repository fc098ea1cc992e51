"""Decode the Elscint stream of a scanned file into the bytes of a Pixel Data value.

The stream is decoded straight from the input buffer into a ``bytearray``
through :mod:`elscint_codec.buffers`: no numpy, so a conversion does not pay
for importing it.
"""

import sys
import threading
from typing import Any, NamedTuple

from elscint_codec.buffers import rgb1_decode_into, rle1_decode_into
from elscint_codec.constants import COMPRESSION_TYPES, PMSCT_RGB1, PMSCT_RLE1
from elscint_codec.converter.header import Header
from elscint_codec.converter.scan import UNDEFINED, tag_text
from elscint_codec.errors import DatasetError, UnsupportedError

__all__ = ["RGB1", "RLE1", "Decoded", "check_supported", "decode_pixels"]

RLE1 = PMSCT_RLE1
RGB1 = PMSCT_RGB1
_SHAPES = COMPRESSION_TYPES


class Decoded(NamedTuple):
    """A decoded image ready to become (7FE0,0010).

    Attributes
    ----------
    value : bytearray, bytes or memoryview
        Pixel Data value without the pad byte, little-endian, in the layout
        Planar Configuration declares (a view of the scratch buffer with
        ``decode_pixels(..., reuse=True)``).
    vr : str
        ``OW`` for 16-bit, ``OB`` for 8-bit.
    compression : str
        The compression type decoded.
    notes : tuple of str
        Recoverable oddities (e.g. ignored trailing bytes), in plain words.
    """

    value: bytearray | bytes | memoryview
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


def _little_endian_16(value: bytearray | memoryview) -> bytearray | memoryview:
    """Byte-swap native 16-bit values on a big-endian machine (a no-op elsewhere)."""
    if sys.byteorder == "little":
        return value
    swapped = bytearray(len(value))
    swapped[0::2], swapped[1::2] = value[1::2], value[0::2]
    return swapped


def _planar(interleaved: bytearray | memoryview) -> bytes:
    """R, G, B per pixel -> all R, then all G, then all B (Planar Configuration 1)."""
    pixels = interleaved if isinstance(interleaved, bytearray) else interleaved.tobytes()
    return b"".join((pixels[0::3], pixels[1::3], pixels[2::3]))


class _Scratch(threading.local):
    """One output buffer per thread, reused from file to file (no fresh pages each time).

    Per thread, so that conversions running in several threads of one process
    (``convert`` called from threads with one job each) never share it.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()

    def take(self, size: int) -> memoryview:
        if len(self.buffer) < size:
            self.buffer = bytearray(size)  # never resized in place: old views stay valid
        return memoryview(self.buffer)[:size]


_SCRATCH = _Scratch()


def decode_pixels(buf: Any, header: Header, *, reuse: bool = False) -> Decoded:
    """Decode the Elscint stream of ``header`` found in ``buf``.

    Parameters
    ----------
    buf : buffer
        The file's bytes.
    header : Header
        Its header.
    reuse : bool
        Decode into this thread's scratch buffer: ``value`` is then a view
        that the next call with ``reuse`` in the same thread overwrites (for a
        caller that writes the value out before it converts the next file).

    Raises
    ------
    TruncatedDataError, DecodeError
        The stream is damaged.
    UnsupportedError, DatasetError
        See :func:`check_supported`.
    """
    kind = check_supported(header)
    start, end = _stream_range(header)
    npix = header.rows * header.columns
    # Decoded straight from the (mapped) file; the views are released on the way
    # out, so none outlives the call, not even through a traceback.
    size = (2 if kind == RLE1 else 3) * npix
    value: bytearray | bytes | memoryview
    value = _SCRATCH.take(size) if reuse else bytearray(size)
    with memoryview(buf) as whole, whole[start:end] as stream:
        if kind == RLE1:
            with memoryview(value) as out, out.cast("H") as values:
                note = rle1_decode_into(stream, values)
            value = _little_endian_16(value)
            vr = "OW"
        else:
            with memoryview(value) as out:
                note = rgb1_decode_into(stream, out)
            if header.planar_configuration == 1:
                value = _planar(value)
            vr = "OB"
    return Decoded(value, vr, kind, (note,) if note else ())
