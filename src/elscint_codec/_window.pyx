# cython: boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled pixel loops of the converter's previews.

A preview counts the codes of a 16-bit grey image (for its percentiles) and
maps every pixel through a 65,536-entry table of grey levels
(:mod:`elscint_codec.converter.previews` computes the table).  Both loops
run here so that a preview needs neither numpy nor a pass of Python per
pixel.  Pixels are little-endian 16-bit codes, as DICOM stores them.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport uint8_t, uint64_t
from libc.stdlib cimport calloc, free

cdef enum:
    CODES = 65536  # one table entry per 16-bit code


cdef Py_ssize_t _pixel_count(Py_ssize_t size) except -1:
    if size % 2:
        raise ValueError(f"16-bit pixels need an even number of bytes, not {size}")
    return size // 2


def code_counts(const uint8_t[::1] pixels not None):
    """Return ``{code: count}`` of the 16-bit codes in ``pixels``, in ascending code order.

    Parameters
    ----------
    pixels : buffer
        Little-endian 16-bit codes (an even number of bytes).

    Returns
    -------
    dict
        Every code present, with how many pixels have it.
    """
    cdef Py_ssize_t count = _pixel_count(pixels.shape[0])
    cdef Py_ssize_t i
    cdef dict found = {}
    cdef uint64_t* counts = <uint64_t*>calloc(CODES, sizeof(uint64_t))
    if counts == NULL:
        raise MemoryError()
    try:
        with nogil:
            for i in range(count):
                counts[pixels[2 * i] | (pixels[2 * i + 1] << 8)] += 1
        for i in range(CODES):
            if counts[i]:
                found[i] = counts[i]
    finally:
        free(counts)
    return found


def lookup(const uint8_t[::1] pixels not None, const uint8_t[::1] table not None):
    """Return ``table[code]`` for every 16-bit code of ``pixels``, as bytes (one per pixel).

    Parameters
    ----------
    pixels : buffer
        Little-endian 16-bit codes (an even number of bytes).
    table : buffer
        65,536 bytes: the grey level of each code.
    """
    if table.shape[0] != CODES:
        raise ValueError(f"the table needs {CODES} entries, not {table.shape[0]}")
    cdef Py_ssize_t count = _pixel_count(pixels.shape[0])
    cdef Py_ssize_t i
    out = PyBytes_FromStringAndSize(NULL, count)
    cdef uint8_t* levels = <uint8_t*>PyBytes_AS_STRING(out)
    with nogil:
        for i in range(count):
            levels[i] = table[pixels[2 * i] | (pixels[2 * i + 1] << 8)]
    return out
