# cython: boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled pixel loops of the converter's previews.

A preview of a 16-bit grey image rescales every code to a value (Rescale
Slope and Intercept), takes percentiles of those values for its window,
and maps every pixel through a 65,536-entry table of grey levels.  All of
it runs here, with the same floating-point operations, in the same order,
as the numpy path (:func:`elscint_codec.converter.previews.render`), so
that both give the same bytes and a preview needs neither numpy nor a pass
of Python per code or pixel.  Pixels are little-endian 16-bit codes, as
DICOM stores them.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.math cimport isfinite, rint
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort

cdef enum:
    CODES = 65536  # one table entry per 16-bit code


cdef Py_ssize_t _pixel_count(Py_ssize_t size) except -1:
    if size % 2:
        raise ValueError(f"16-bit pixels need an even number of bytes, not {size}")
    return size // 2


cdef inline Py_ssize_t code_at(const uint8_t* pixels, Py_ssize_t i) noexcept nogil:
    return pixels[2 * i] | (pixels[2 * i + 1] << 8)


cdef inline const uint8_t* start_of(const uint8_t[::1] pixels) noexcept:
    # The first byte (never read when there are no pixels).
    return &pixels[0] if pixels.shape[0] else NULL


cdef inline double rescaled(Py_ssize_t code, double slope, double intercept,
                            bint signed, int bits) noexcept nogil:
    """The value of a 16-bit code: bits above ``bits`` dropped (or the sign extended), rescaled."""
    cdef int64_t stored = code & ((1 << bits) - 1)
    if signed and (stored >> (bits - 1)):
        stored -= 1 << bits
    return <double>stored * slope + intercept


cdef int _stored_bits(int bits_stored) noexcept:
    return bits_stored if 0 < bits_stored < 16 else 16


cdef int _check_finite(double value, str name) except -1:
    # Values that are not numbers have no order and no grey level.
    if not isfinite(value):
        raise ValueError(f"no grey level for these values: the {name} is {value!r}, "
                         "not a finite number")
    return 0


ctypedef struct Ranked:
    double value
    uint64_t count


cdef int by_value(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const Ranked*>a).value
    cdef double y = (<const Ranked*>b).value
    return (x > y) - (x < y)


cdef double ranked_percentile(const Ranked* ranked, Py_ssize_t n, Py_ssize_t total,
                              double q) noexcept nogil:
    # numpy's default ("linear") method: the values at positions floor(v) and
    # floor(v) + 1 of the sorted pixels, v = (total - 1) * q / 100, interpolated.
    cdef double virtual = <double>(total - 1) * (q / 100.0)
    cdef Py_ssize_t below = <Py_ssize_t>virtual
    cdef double gamma = virtual - <double>below
    cdef Py_ssize_t above = below + 1 if below + 1 < total else total - 1
    cdef double a = 0.0, b = 0.0, difference
    cdef uint64_t seen = 0
    cdef Py_ssize_t i
    cdef bint have_a = False
    for i in range(n):
        seen += ranked[i].count
        if not have_a and <uint64_t>below < seen:
            a = ranked[i].value
            have_a = True
        if <uint64_t>above < seen:
            b = ranked[i].value
            break
    difference = b - a
    if gamma >= 0.5:
        return b - difference * (1.0 - gamma)
    return a + difference * gamma


def percentiles(const uint8_t[::1] pixels not None, double slope, double intercept,
                bint signed, int bits_stored, tuple qs not None):
    """Return numpy's ("linear") percentiles ``qs`` of the rescaled pixel values.

    Parameters
    ----------
    pixels : buffer
        Little-endian 16-bit codes (an even number of bytes, at least one pixel).
    slope, intercept : float
        Rescale Slope and Rescale Intercept.
    signed : bool
        Pixel Representation 1: codes are two's complement in ``bits_stored`` bits.
    bits_stored : int
        Bits Stored (anything outside 1..15 means 16).
    qs : tuple of float
        Percentiles, each in [0, 100].

    Returns
    -------
    tuple of float
        One value per percentile, as ``numpy.percentile`` gives it.

    Raises
    ------
    ValueError
        No pixels, a percentile outside 0..100, or a slope or intercept that
        is not a finite number.
    """
    cdef Py_ssize_t total = _pixel_count(pixels.shape[0])
    cdef int bits = _stored_bits(bits_stored)
    cdef Py_ssize_t i, n = 0
    cdef double q
    for item in qs:
        q = item
        if not 0.0 <= q <= 100.0:
            raise ValueError(f"percentiles are between 0 and 100, not {item!r}")
    if total == 0:
        raise ValueError("an image without pixels has no percentiles")
    _check_finite(slope, "rescale slope")
    _check_finite(intercept, "rescale intercept")
    cdef const uint8_t* codes = start_of(pixels)
    cdef uint64_t* counts = <uint64_t*>calloc(CODES, sizeof(uint64_t))
    cdef Ranked* ranked = <Ranked*>malloc(CODES * sizeof(Ranked))
    try:
        if counts == NULL or ranked == NULL:
            raise MemoryError()
        with nogil:
            for i in range(total):
                counts[code_at(codes, i)] += 1
            for i in range(CODES):
                if counts[i]:
                    ranked[n].value = rescaled(i, slope, intercept, signed, bits)
                    ranked[n].count = counts[i]
                    n += 1
            qsort(ranked, n, sizeof(Ranked), by_value)
        return tuple([ranked_percentile(ranked, n, total, wanted) for wanted in qs])
    finally:
        free(counts)
        free(ranked)


def grey_levels(const uint8_t[::1] pixels not None, double slope, double intercept,
                bint signed, int bits_stored, double low, double high, bint inverted):
    """Return the grey level of every pixel (bytes, one per pixel) through the window.

    A value maps to ``round(clip((value - low) / (high - low), 0, 1) * 255)``
    (halves to even, as numpy and Python round), then ``255 -`` that when
    ``inverted``.

    Parameters
    ----------
    pixels : buffer
        Little-endian 16-bit codes (an even number of bytes).
    slope, intercept, signed, bits_stored
        As for :func:`percentiles`.
    low, high : float
        The values shown black and white (white and black when ``inverted``).
    inverted : bool
        Higher values darker (PET).

    Raises
    ------
    ValueError
        The slope, intercept or window is not a finite number, or the level
        of a pixel is not a number.
    """
    cdef Py_ssize_t count = _pixel_count(pixels.shape[0])
    _check_finite(slope, "rescale slope")
    _check_finite(intercept, "rescale intercept")
    _check_finite(low, "window's low end")
    _check_finite(high, "window's high end")
    cdef int bits = _stored_bits(bits_stored)
    cdef Py_ssize_t i, code
    cdef double x
    cdef bint bad = False
    cdef const uint8_t* codes = start_of(pixels)
    cdef uint8_t* present = <uint8_t*>calloc(CODES, 1)
    cdef uint8_t* table = <uint8_t*>malloc(CODES)
    out = PyBytes_FromStringAndSize(NULL, count)
    cdef uint8_t* levels = <uint8_t*>PyBytes_AS_STRING(out)
    try:
        if present == NULL or table == NULL:
            raise MemoryError()
        with nogil:
            for i in range(count):
                present[code_at(codes, i)] = 1
            for code in range(CODES):
                if not present[code]:
                    continue
                x = (rescaled(code, slope, intercept, signed, bits) - low) / (high - low)
                if x != x:
                    bad = True
                    break
                if 0.0 > x:
                    x = 0.0
                if 1.0 < x:
                    x = 1.0
                table[code] = <uint8_t>rint(x * 255.0)
                if inverted:
                    table[code] = 255 - table[code]
            if not bad:
                for i in range(count):
                    levels[i] = table[code_at(codes, i)]
        if bad:
            raise ValueError(
                f"no grey level for these values: window {low!r} to {high!r}, "
                f"rescale slope {slope!r} and intercept {intercept!r}"
            )
        return out
    finally:
        free(present)
        free(table)
