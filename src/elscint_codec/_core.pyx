# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False, embedsignature=True
"""Decode kernels for PMSCT_RLE1 and PMSCT_RGB1 over raw byte buffers.

Not intended to be used directly: call :func:`elscint_codec.pmsct_rle1_decode`
and :func:`elscint_codec.pmsct_rgb1_decode`, which validate their arguments,
allocate the output and turn status codes into exceptions and warnings.

Every read is checked against the input length and every write against the
output length; the loops run without the GIL.  Each function raises
``ValueError`` when the output overlaps the input (no decoding in place) or
when a 16-bit output is not aligned.
A kernel returns a status tuple ``(status, pixels, offset, tail, tail_offset)``:

status
    ``OK`` (0) or ``TRUNCATED`` (1).
pixels
    Number of pixels written.
offset
    With ``TRUNCATED``: byte index of the stored token that would have
    started the incomplete pixel (the stream length when the stream ended
    cleanly between two pixels).
tail
    What followed the last pixel: ``TAIL_NONE`` (0), ``TAIL_PAD`` (1, one
    0x00 pad byte), ``TAIL_EXCESS`` (2, anything else, which was ignored).
tail_offset
    Byte index where the ignored data starts.
"""

from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int8_t, int16_t, uint8_t, uint16_t, uint64_t
from libc.string cimport memcpy


# The block-wise fast path for the interior of PMSCT_RLE1 streams (SSE2 or portable C).
cdef extern from "_rle1_fast.h" nogil:
    int ELSCINT_HAVE_SSE2
    int ELSCINT_PATH_NONE
    int ELSCINT_PATH_PORTABLE
    int ELSCINT_PATH_SSE2
    void elscint_rle1_fast(const uint8_t* src, ptrdiff_t size, uint16_t* dst, ptrdiff_t npix,
                           ptrdiff_t* pos_io, ptrdiff_t* o_io, uint16_t* value_io, int path)

cdef enum:
    ST_OK = 0
    ST_TRUNCATED = 1
    TL_NONE = 0
    TL_PAD = 1
    TL_EXCESS = 2
    RLE_ESCAPE = 0xA5
    DELTA_ESCAPE = 0x5A
    RGB_TOGGLE = 0x81
    RGB_LITERAL = 0x82
    RGB_REPEAT = 0x83

OK = ST_OK
TRUNCATED = ST_TRUNCATED
TAIL_NONE = TL_NONE
TAIL_PAD = TL_PAD
TAIL_EXCESS = TL_EXCESS

_PATH_CODES = {"basic": ELSCINT_PATH_NONE, "portable": ELSCINT_PATH_PORTABLE}
if ELSCINT_HAVE_SSE2:
    _PATH_CODES["sse2"] = ELSCINT_PATH_SSE2
RLE1_PATHS = tuple(_PATH_CODES)
"""The PMSCT_RLE1 decode paths built into this module."""

# Without SSE2 the general loop alone is the better all-round choice: the
# portable fast path wins on escape-dense PET but loses on CT.
cdef int rle1_path = ELSCINT_PATH_SSE2 if ELSCINT_HAVE_SSE2 else ELSCINT_PATH_NONE


def select_rle1_path(str name):
    """Make the PMSCT_RLE1 decoder use path ``name``; return the previous one.

    For tests and benchmarks: ``"basic"`` (the general loop alone, checking
    every step; the default without SSE2), ``"portable"`` (plus the block-wise
    fast path in plain C) and, on x86, ``"sse2"`` (the default there).  All
    give identical results.
    """
    global rle1_path
    if name not in _PATH_CODES:
        raise ValueError(f"unknown PMSCT_RLE1 path {name!r}; choose from {RLE1_PATHS}")
    previous = next(key for key, code in _PATH_CODES.items() if code == rle1_path)
    rle1_path = _PATH_CODES[name]
    return previous


ctypedef struct Outcome:
    int status
    Py_ssize_t pixels
    Py_ssize_t offset
    int tail
    Py_ssize_t tail_offset


ctypedef struct RunReader:
    # The stored stream and the run-length stage's state.
    const uint8_t* src
    Py_ssize_t size
    Py_ssize_t pos        # next stored byte
    Py_ssize_t run_left   # copies of run_value still to deliver
    Py_ssize_t run_start  # stored offset of the pending run's escape
    uint8_t run_value


cdef inline bint has_escape(uint64_t word) noexcept nogil:
    """Return whether any byte of ``word`` is 0xA5 or 0x5A (SWAR zero-byte test)."""
    cdef uint64_t ones = 0x0101010101010101ULL
    cdef uint64_t a = word ^ (ones * RLE_ESCAPE)
    cdef uint64_t b = word ^ (ones * DELTA_ESCAPE)
    return ((((a - ones) & ~a) | ((b - ones) & ~b)) & (ones << 7)) != 0


cdef inline int next_expanded(RunReader* r) noexcept nogil:
    """Return the next byte of the run-expanded stream, or -1 if the stream ended."""
    cdef uint8_t b
    if r.run_left > 0:
        r.run_left -= 1
        return r.run_value
    if r.pos >= r.size:
        return -1
    b = r.src[r.pos]
    if b != RLE_ESCAPE:
        r.pos += 1
        return b
    if r.pos + 2 >= r.size:
        return -1
    r.run_start = r.pos
    r.run_left = r.src[r.pos + 1]  # n + 1 copies, one delivered now
    r.run_value = r.src[r.pos + 2]
    r.pos += 3
    return r.run_value


cdef void rle1_kernel(const uint8_t* src, Py_ssize_t size,
                      uint16_t* dst, Py_ssize_t npix, Outcome* res, int path) noexcept nogil:
    cdef RunReader r
    cdef Py_ssize_t o = 0, limit, k, m, token_start
    cdef ptrdiff_t fast_pos, fast_o
    cdef uint16_t value = 0
    cdef uint8_t b
    cdef int lo, hi
    cdef uint64_t word
    cdef uint16_t step
    r.src = src
    r.size = size
    r.pos = 0
    r.run_left = 0
    r.run_start = 0
    r.run_value = 0
    res.status = ST_OK
    res.offset = 0
    res.tail = TL_NONE
    res.tail_offset = size

    while o < npix:
        if r.run_left == 0:
            if path != ELSCINT_PATH_NONE:
                # The interior, block by block; returns at anything unusual.
                fast_pos = r.pos
                fast_o = o
                elscint_rle1_fast(src, size, dst, npix, &fast_pos, &fast_o, &value, path)
                r.pos = fast_pos
                o = fast_o
                if o >= npix:
                    break
            # Plain deltas up to the next escape: bounds hoisted out of the loop.
            limit = size - r.pos
            if limit > npix - o:
                limit = npix - o
            k = 0
            while k + 8 <= limit:
                memcpy(&word, src + r.pos + k, 8)
                if has_escape(word):
                    break
                value = <uint16_t>(value + <int8_t>src[r.pos + k])
                dst[o + k] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 1])
                dst[o + k + 1] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 2])
                dst[o + k + 2] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 3])
                dst[o + k + 3] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 4])
                dst[o + k + 4] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 5])
                dst[o + k + 5] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 6])
                dst[o + k + 6] = value
                value = <uint16_t>(value + <int8_t>src[r.pos + k + 7])
                dst[o + k + 7] = value
                k += 8
            while k < limit:
                b = src[r.pos + k]
                if b == RLE_ESCAPE or b == DELTA_ESCAPE:
                    break
                value = <uint16_t>(value + <int8_t>b)
                dst[o + k] = value
                k += 1
            r.pos += k
            o += k
            if o >= npix:
                break
            if r.pos >= size:
                res.status = ST_TRUNCATED
                res.offset = size
                break
            b = src[r.pos]
            if b == DELTA_ESCAPE:
                if (r.pos + 2 < size and src[r.pos + 1] != RLE_ESCAPE
                        and src[r.pos + 2] != RLE_ESCAPE):
                    value = <uint16_t>(src[r.pos + 1] | (src[r.pos + 2] << 8))
                    dst[o] = value
                    o += 1
                    r.pos += 3
                    continue
                token_start = r.pos
                r.pos += 1
            else:
                # b is RLE_ESCAPE: start a run, then handle it below.
                if r.pos + 2 >= size:
                    res.status = ST_TRUNCATED
                    res.offset = r.pos
                    break
                r.run_start = r.pos
                r.run_left = <Py_ssize_t>src[r.pos + 1] + 1
                r.run_value = src[r.pos + 2]
                r.pos += 3
                continue
        elif r.run_value != DELTA_ESCAPE:
            # A run of one delta byte: a fill or an arithmetic progression.
            m = r.run_left
            if m > npix - o:
                m = npix - o
            step = <uint16_t><int16_t><int8_t>r.run_value
            if step == 0:
                for k in range(m):
                    dst[o + k] = value
            else:
                for k in range(m):
                    value = <uint16_t>(value + step)
                    dst[o + k] = value
            o += m
            r.run_left -= m
            continue
        else:
            # A run of 0x5A: every whole triple is the absolute value 0x5A5A.
            m = r.run_left // 3
            if m > npix - o:
                m = npix - o
            if m > 0:
                value = 0x5A5A
                for k in range(m):
                    dst[o + k] = value
                o += m
                r.run_left -= 3 * m
                continue
            token_start = r.run_start
            r.run_left -= 1
        # An absolute value whose two bytes may come from runs.
        lo = next_expanded(&r)
        hi = next_expanded(&r) if lo >= 0 else -1
        if hi < 0:
            res.status = ST_TRUNCATED
            res.offset = token_start
            break
        value = <uint16_t>(lo | (hi << 8))
        dst[o] = value
        o += 1

    res.pixels = o
    if res.status != ST_OK:
        return
    if r.run_left > 0:
        res.tail = TL_EXCESS
        res.tail_offset = r.run_start
    elif r.pos == size:
        res.tail = TL_NONE
    elif r.pos == size - 1 and src[r.pos] == 0:
        res.tail = TL_PAD
        res.tail_offset = r.pos
    else:
        res.tail = TL_EXCESS
        res.tail_offset = r.pos


cdef void raw16_kernel(const uint8_t* src, uint16_t* dst, Py_ssize_t npix) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(npix):
        dst[k] = <uint16_t>(src[2 * k] | (src[2 * k + 1] << 8))


cdef inline void put_rgb(uint8_t* dst, Py_ssize_t o, uint8_t r, uint8_t g,
                         uint8_t b) noexcept nogil:
    dst[3 * o] = r
    dst[3 * o + 1] = g
    dst[3 * o + 2] = b


cdef void rgb1_kernel(const uint8_t* src, Py_ssize_t size,
                      uint8_t* dst, Py_ssize_t npix, Outcome* res) noexcept nogil:
    cdef Py_ssize_t i = 0, o = 0, start, k, count, m
    cdef bint colour = False
    cdef bint overflow = False
    cdef uint8_t grey = 0, red = 0, green = 0, blue = 0, c
    res.status = ST_OK
    res.offset = 0
    res.tail = TL_NONE
    res.tail_offset = size

    while o < npix:
        if i >= size:
            res.status = ST_TRUNCATED
            res.offset = size
            break
        c = src[i]
        if not colour and (c < RGB_TOGGLE or c > RGB_REPEAT):
            # Grey deltas up to the next command byte.
            while i < size and o < npix:
                c = src[i]
                if RGB_TOGGLE <= c <= RGB_REPEAT:
                    break
                grey = <uint8_t>(grey + c)
                put_rgb(dst, o, grey, grey, grey)
                o += 1
                i += 1
            continue
        start = i
        if c == RGB_TOGGLE:
            colour = not colour
            grey = red = green = blue = 0
            i += 1
            continue
        if c == RGB_REPEAT:
            if i + 1 >= size:
                res.status = ST_TRUNCATED
                res.offset = start
                break
            count = src[i + 1]
            m = npix - o
            if count > m:
                overflow = True
            else:
                m = count
            if colour:
                for k in range(m):
                    put_rgb(dst, o + k, red, green, blue)
            else:
                for k in range(m):
                    put_rgb(dst, o + k, grey, grey, grey)
            o += m
            i += 2
            continue
        if c == RGB_LITERAL:
            i += 1
        if colour:
            if i + 2 >= size:
                res.status = ST_TRUNCATED
                res.offset = start
                break
            red = <uint8_t>(red + src[i])
            green = <uint8_t>(green + src[i + 1])
            blue = <uint8_t>(blue + src[i + 2])
            put_rgb(dst, o, red, green, blue)
            i += 3
        else:
            if i >= size:
                res.status = ST_TRUNCATED
                res.offset = start
                break
            grey = <uint8_t>(grey + src[i])
            put_rgb(dst, o, grey, grey, grey)
            i += 1
        o += 1

    res.pixels = o
    if res.status != ST_OK:
        return
    if overflow:
        res.tail = TL_EXCESS
        res.tail_offset = i - 2
    elif i == size:
        res.tail = TL_NONE
    elif i == size - 1 and src[i] == 0:
        res.tail = TL_PAD
        res.tail_offset = i
    else:
        res.tail = TL_EXCESS
        res.tail_offset = i


cdef inline bint overlaps(const void* a, Py_ssize_t a_bytes, const void* b,
                          Py_ssize_t b_bytes) noexcept:
    """Return whether two non-empty byte ranges share memory."""
    cdef size_t a0 = <size_t>a, b0 = <size_t>b
    return (a_bytes > 0 and b_bytes > 0
            and a0 < b0 + <size_t>b_bytes and b0 < a0 + <size_t>a_bytes)


cdef int check_not_in_place(const void* src, Py_ssize_t src_bytes, const void* dst,
                            Py_ssize_t dst_bytes) except -1:
    if overlaps(src, src_bytes, dst, dst_bytes):
        raise ValueError("cannot decode in place: out overlaps data")
    return 0


cdef int check_aligned(const uint16_t* dst) except -1:
    if (<size_t>dst) % sizeof(uint16_t):
        raise ValueError("out must be aligned: its 16-bit values start at an odd address")
    return 0


cdef tuple outcome_tuple(Outcome* res):
    return (res.status, res.pixels, res.offset, res.tail, res.tail_offset)


def rle1_decode_into(const uint8_t[::1] src, uint16_t[::1] dst):
    """Decode a PMSCT_RLE1 stream into ``dst`` (one value per pixel).

    Applies no raw-length rule; see :func:`raw16_into`.  Returns the status
    tuple described in the module docstring.
    """
    cdef Outcome res
    cdef Py_ssize_t size = src.shape[0]
    cdef Py_ssize_t npix = dst.shape[0]
    cdef const uint8_t* src_ptr = &src[0] if size > 0 else NULL
    check_aligned(&dst[0])
    check_not_in_place(src_ptr, size, &dst[0], 2 * npix)
    with nogil:
        rle1_kernel(src_ptr, size, &dst[0], npix, &res, rle1_path)
    return outcome_tuple(&res)


def raw16_into(const uint8_t[::1] src, uint16_t[::1] dst):
    """Copy little-endian 16-bit values from ``src`` into ``dst``.

    ``src`` must hold exactly two bytes per element of ``dst``.
    """
    cdef Py_ssize_t npix = dst.shape[0]
    if src.shape[0] != 2 * npix:
        raise ValueError("raw16_into needs exactly two source bytes per output value")
    if npix == 0:
        return
    check_aligned(&dst[0])
    check_not_in_place(&src[0], 2 * npix, &dst[0], 2 * npix)
    with nogil:
        raw16_kernel(&src[0], &dst[0], npix)


def rgb1_decode_into(const uint8_t[::1] src, uint8_t[::1] dst):
    """Decode a PMSCT_RGB1 stream into ``dst`` (three interleaved bytes per pixel).

    Returns the status tuple described in the module docstring.
    """
    cdef Outcome res
    cdef Py_ssize_t size = src.shape[0]
    cdef Py_ssize_t npix = dst.shape[0] // 3
    cdef const uint8_t* src_ptr = &src[0] if size > 0 else NULL
    if dst.shape[0] % 3:
        raise ValueError("rgb1_decode_into needs an output length divisible by 3")
    check_not_in_place(src_ptr, size, &dst[0], dst.shape[0])
    with nogil:
        rgb1_kernel(src_ptr, size, &dst[0], npix, &res)
    return outcome_tuple(&res)
