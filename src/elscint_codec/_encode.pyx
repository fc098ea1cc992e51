# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False, embedsignature=True
"""Encode kernels for PMSCT_RLE1 and PMSCT_RGB1.

Not intended to be used directly: call :func:`elscint_codec.pmsct_rle1_encode`
and :func:`elscint_codec.pmsct_rgb1_encode`.  The streams stay inside what
every known reader accepts: a literal 0xA5 is always written as a run, runs
hold at most 256 copies, and an odd-length stream is padded with one 0x00.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport int32_t, uint8_t, uint16_t
from libc.stdlib cimport free, malloc

cdef enum:
    RLE_ESCAPE = 0xA5
    DELTA_ESCAPE = 0x5A
    RGB_TOGGLE = 0x81
    RGB_LITERAL = 0x82
    RGB_REPEAT = 0x83
    MIN_RUN = 4      # shorter runs of an ordinary byte are written literally
    MAX_RUN = 256    # one escape holds at most 256 copies


cdef Py_ssize_t delta_stage(const uint16_t* px, Py_ssize_t npix, Py_ssize_t force_absolute,
                            bint all_absolute, uint8_t* out) noexcept nogil:
    cdef Py_ssize_t k, m = 0
    cdef uint16_t prev = 0, p
    cdef int32_t d
    for k in range(npix):
        p = px[k]
        d = <int32_t>p - <int32_t>prev
        if d > 32767:
            d -= 65536
        elif d < -32768:
            d += 65536
        if (not all_absolute and k != force_absolute and -128 <= d <= 127
                and (d & 0xFF) != DELTA_ESCAPE):
            out[m] = <uint8_t>(d & 0xFF)
            m += 1
        else:
            out[m] = DELTA_ESCAPE
            out[m + 1] = <uint8_t>(p & 0xFF)
            out[m + 2] = <uint8_t>(p >> 8)
            m += 3
        prev = p
    return m


cdef Py_ssize_t run_stage(const uint8_t* data, Py_ssize_t size, bint use_runs,
                          uint8_t* out) noexcept nogil:
    cdef Py_ssize_t j = 0, n = 0, length, chunk
    cdef uint8_t b
    while j < size:
        b = data[j]
        length = 1
        while j + length < size and data[j + length] == b:
            length += 1
        j += length
        while length > 0:
            if b == RLE_ESCAPE or (use_runs and length >= MIN_RUN):
                chunk = length if length < MAX_RUN else MAX_RUN
                out[n] = RLE_ESCAPE
                out[n + 1] = <uint8_t>(chunk - 1)
                out[n + 2] = b
                n += 3
            else:
                chunk = length
                while chunk > 0:
                    out[n] = b
                    n += 1
                    chunk -= 1
                chunk = length
            length -= chunk
    return n


def rle1_encode(const uint16_t[::1] pixels, Py_ssize_t force_absolute=-1,
                bint all_absolute=False, bint use_runs=True):
    """Return the PMSCT_RLE1 stream of ``pixels`` (flattened, row-major).

    ``force_absolute`` writes that pixel as an absolute value even when a
    delta would do; ``all_absolute`` writes every pixel so; ``use_runs=False``
    writes runs only where a literal 0xA5 needs one.  The caller uses them to
    steer the stream away from the raw length.
    """
    cdef Py_ssize_t npix = pixels.shape[0]
    cdef Py_ssize_t stage_len, size
    cdef uint8_t* stage = NULL
    cdef uint8_t* stream = NULL
    cdef const uint16_t* px = &pixels[0] if npix > 0 else NULL
    stage = <uint8_t*>malloc(3 * npix + 1)
    stream = <uint8_t*>malloc(9 * npix + 2)
    if stage == NULL or stream == NULL:
        free(stage)
        free(stream)
        raise MemoryError()
    try:
        with nogil:
            stage_len = delta_stage(px, npix, force_absolute, all_absolute, stage)
            size = run_stage(stage, stage_len, use_runs, stream)
            if size % 2:
                stream[size] = 0
                size += 1
        return PyBytes_FromStringAndSize(<char*>stream, size)
    finally:
        free(stage)
        free(stream)


cdef inline bint is_command(uint8_t b) noexcept nogil:
    return RGB_TOGGLE <= b <= RGB_REPEAT


cdef Py_ssize_t rgb1_kernel(const uint8_t* px, Py_ssize_t npix, uint8_t* out) noexcept nogil:
    cdef Py_ssize_t k = 0, n = 0, count
    cdef bint colour = False, grey_here, grey_next
    cdef uint8_t grey = 0, red = 0, green = 0, blue = 0, r, g, b, d
    while k < npix:
        r = px[3 * k]
        g = px[3 * k + 1]
        b = px[3 * k + 2]
        grey_here = r == g and g == b
        grey_next = k + 1 >= npix or (
            px[3 * k + 3] == px[3 * k + 4] and px[3 * k + 4] == px[3 * k + 5])
        if colour and grey_here and grey_next:
            out[n] = RGB_TOGGLE
            n += 1
            colour = False
            grey = 0
        elif not colour and not grey_here:
            out[n] = RGB_TOGGLE
            n += 1
            colour = True
            red = green = blue = 0
        if colour:
            d = <uint8_t>(r - red)
            if is_command(d):
                out[n] = RGB_LITERAL
                n += 1
            out[n] = d
            out[n + 1] = <uint8_t>(g - green)
            out[n + 2] = <uint8_t>(b - blue)
            n += 3
            red, green, blue = r, g, b
        else:
            d = <uint8_t>(r - grey)
            if is_command(d):
                out[n] = RGB_LITERAL
                n += 1
            out[n] = d
            n += 1
            grey = r
        k += 1
        # Repeat the running pixel over a stretch of identical pixels.
        while True:
            count = 0
            while (k + count < npix and count < 255 and px[3 * (k + count)] == r
                   and px[3 * (k + count) + 1] == g and px[3 * (k + count) + 2] == b):
                count += 1
            if count < 2:
                break
            out[n] = RGB_REPEAT
            out[n + 1] = <uint8_t>count
            n += 2
            k += count
    return n


def rgb1_encode(const uint8_t[::1] pixels):
    """Return the PMSCT_RGB1 stream of interleaved R, G, B ``pixels``."""
    cdef Py_ssize_t npix = pixels.shape[0] // 3
    cdef Py_ssize_t size
    cdef uint8_t* stream = NULL
    cdef const uint8_t* px = &pixels[0] if npix > 0 else NULL
    if pixels.shape[0] % 3:
        raise ValueError("rgb1_encode needs three bytes per pixel")
    stream = <uint8_t*>malloc(5 * npix + 2)
    if stream == NULL:
        raise MemoryError()
    try:
        with nogil:
            size = rgb1_kernel(px, npix, stream)
            if size % 2:
                stream[size] = 0
                size += 1
        return PyBytes_FromStringAndSize(<char*>stream, size)
    finally:
        free(stream)
