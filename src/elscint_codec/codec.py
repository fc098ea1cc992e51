"""Buffer API: decode and encode PMSCT_RLE1 and PMSCT_RGB1 streams.

The functions here validate arguments, allocate or check ``out``, call the
compiled kernels in :mod:`elscint_codec._core` (which run without the GIL)
through :mod:`elscint_codec.buffers`, and turn its notes into warnings.  The
exact format semantics are documented in ``docs/format.md``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from elscint_codec import _encode, buffers
from elscint_codec.errors import ElscintWarning

__all__ = [
    "pmsct_rgb1_decode",
    "pmsct_rgb1_encode",
    "pmsct_rle1_decode",
    "pmsct_rle1_encode",
]

MAX_DIMENSION = 65535  # Rows and Columns are US in DICOM


def _byte_view(data: Any) -> memoryview:
    """Return a zero-copy, one-dimensional unsigned-byte view of ``data``."""
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(
            f"data must support the buffer protocol (bytes, bytearray, memoryview, mmap, "
            f"numpy array), not {type(data).__name__}"
        ) from None
    if not view.c_contiguous:
        raise ValueError("data must be a C-contiguous buffer")
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    return view


def _check_dimensions(rows: int, columns: int) -> None:
    for name, value in (("rows", rows), ("columns", columns)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
        if not 1 <= value <= MAX_DIMENSION:
            raise ValueError(f"{name} must be between 1 and {MAX_DIMENSION}, not {value}")


def _output(
    out: npt.NDArray[Any] | None,
    shape: tuple[int, ...],
    dtype: type[np.generic],
    data: memoryview,
) -> npt.NDArray[Any]:
    """Return ``out`` after checking it, or a new array of ``shape`` and ``dtype``."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array, not {type(out).__name__}")
    if out.dtype != np.dtype(dtype) or out.shape != shape:
        raise ValueError(
            f"out must have dtype {np.dtype(dtype)} and shape {shape}, "
            f"not {out.dtype} and {out.shape}"
        )
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError("out must be C-contiguous and writeable")
    # The kernels refuse an out that overlaps data or is misaligned.
    return out


def pmsct_rle1_decode(
    data: Any, /, rows: int, columns: int, *, out: npt.NDArray[np.uint16] | None = None
) -> npt.NDArray[np.uint16]:
    """Return the decoded PMSCT_RLE1 image.

    Parameters
    ----------
    data : buffer
        The stored stream, any C-contiguous buffer; read without a copy.
    rows, columns : int
        Image size.
    out : numpy.ndarray, optional
        C-contiguous ``uint16`` array of shape ``(rows, columns)`` to decode
        into; returned as given.

    Returns
    -------
    numpy.ndarray
        ``uint16`` array of shape ``(rows, columns)``: the stored pixel values.

    Raises
    ------
    TruncatedDataError
        The stream ends before the last pixel is complete.

    Warns
    -----
    ElscintWarning
        Data beyond the image (other than one 0x00 pad byte) was ignored.

    Notes
    -----
    A stream of exactly ``rows * columns * 2`` bytes is raw little-endian
    16-bit data, copied without decoding.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[0, 1000], [1001, 999]], dtype=np.uint16)
    >>> stream = pmsct_rle1_encode(image)
    >>> pmsct_rle1_decode(stream, 2, 2).tolist()
    [[0, 1000], [1001, 999]]
    """
    _check_dimensions(rows, columns)
    view = _byte_view(data)
    result = _output(out, (rows, columns), np.uint16, view)
    note = buffers.rle1_decode_into(view, result.reshape(-1))
    if note:
        warnings.warn(note, ElscintWarning, stacklevel=2)
    return result


def pmsct_rgb1_decode(
    data: Any, /, rows: int, columns: int, *, out: npt.NDArray[np.uint8] | None = None
) -> npt.NDArray[np.uint8]:
    """Return the decoded PMSCT_RGB1 image, pixel-interleaved.

    Parameters
    ----------
    data : buffer
        The stored stream, any C-contiguous buffer; read without a copy.
    rows, columns : int
        Image size.
    out : numpy.ndarray, optional
        C-contiguous ``uint8`` array of shape ``(rows, columns, 3)`` to decode
        into; returned as given.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``(rows, columns, 3)`` holding R, G, B.

    Raises
    ------
    TruncatedDataError
        The stream ends before the last pixel is complete.

    Warns
    -----
    ElscintWarning
        Data beyond the image (other than one 0x00 pad byte) was ignored.

    Notes
    -----
    PMSCT_RGB1 has no raw-length rule: every stream is decoded.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[[10, 10, 10], [200, 30, 40]]], dtype=np.uint8)
    >>> pmsct_rgb1_decode(pmsct_rgb1_encode(image), 1, 2).tolist()
    [[[10, 10, 10], [200, 30, 40]]]
    """
    _check_dimensions(rows, columns)
    view = _byte_view(data)
    result = _output(out, (rows, columns, 3), np.uint8, view)
    note = buffers.rgb1_decode_into(view, result.reshape(-1))
    if note:
        warnings.warn(note, ElscintWarning, stacklevel=2)
    return result


def _image(array: Any, ndim: int, dtypes: tuple[str, ...], what: str) -> npt.NDArray[Any]:
    image = np.asarray(array)
    if image.ndim != ndim or image.dtype.str.lstrip("<>=|") not in dtypes:
        raise ValueError(f"{what}, not a {image.ndim}-D {image.dtype} array")
    if image.size == 0:
        raise ValueError("cannot encode an empty image")
    return image


def pmsct_rle1_encode(array: Any) -> bytes:
    """Return a PMSCT_RLE1 stream for a 2-D 16-bit image.

    Parameters
    ----------
    array : array_like
        ``uint16`` or ``int16`` array of shape ``(rows, columns)``; signed
        values are stored as their 16-bit two's complement.

    Returns
    -------
    bytes
        An even-length stream that is never exactly ``rows * columns * 2``
        bytes long (that length would be read as raw data).

    Examples
    --------
    >>> import numpy as np
    >>> pmsct_rle1_encode(np.zeros((4, 4), dtype=np.uint16)).hex()
    'a50f0000'
    """
    image = _image(array, 2, ("u2", "i2"), "expected a 2-D uint16 or int16 array")
    pixels = np.ascontiguousarray(image, dtype=image.dtype.newbyteorder("=")).view(np.uint16)
    flat = pixels.reshape(-1)
    raw_length = 2 * flat.size
    stream: bytes = _encode.rle1_encode(flat)
    if len(stream) != raw_length:
        return stream
    # Rare: the stream would read as raw data.  Spend an absolute value where
    # a delta would do; failing that, write every pixel as an absolute value.
    for index in range(min(flat.size, 16)):
        stream = _encode.rle1_encode(flat, force_absolute=index)
        if len(stream) != raw_length:
            return stream
    stream = _encode.rle1_encode(flat, all_absolute=True, use_runs=False)
    assert len(stream) > raw_length
    return stream


def pmsct_rgb1_encode(array: Any) -> bytes:
    """Return a PMSCT_RGB1 stream for an RGB image.

    Parameters
    ----------
    array : array_like
        ``uint8`` array of shape ``(rows, columns, 3)``, pixel-interleaved.

    Returns
    -------
    bytes
        An even-length stream (padded with one 0x00 when needed).

    Examples
    --------
    >>> import numpy as np
    >>> pmsct_rgb1_encode(np.full((1, 3, 3), 7, dtype=np.uint8)).hex()
    '07830200'
    """
    image = _image(array, 3, ("u1",), "expected a uint8 array of shape (rows, columns, 3)")
    if image.shape[2] != 3:
        raise ValueError(f"expected three samples per pixel, not {image.shape[2]}")
    stream: bytes = _encode.rgb1_encode(np.ascontiguousarray(image).reshape(-1))
    return stream
