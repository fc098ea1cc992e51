/*
 * Fast path of the PMSCT_RLE1 decoder, included by _core.pyx.
 *
 * elscint_rle1_fast() decodes the interior of a stream: it works only while
 * at least ELSCINT_READ_MARGIN stored bytes and ELSCINT_WRITE_MARGIN output
 * values remain, so that none of its reads or writes needs a check of its
 * own, and it returns as soon as it meets anything unusual (an absolute value
 * whose bytes come from a run, a run of 0x5A, a run longer than the output
 * room).  The caller's general loop, which checks every step, takes over from
 * there and calls back in.
 *
 * How it goes fast:
 *  - a 64-byte window is scanned once for escape bytes (0xA5, 0x5A) into a
 *    bitmap; count-trailing-zeros gives the distance to the next escape;
 *  - plain deltas are turned into values 16 at a time: sign-extend to int16,
 *    prefix sum in registers (three shift-and-add steps), add the running
 *    value, store.  Whole blocks are written ahead of the last plain byte
 *    (still inside the output, by the margin); values past it are scratch,
 *    overwritten by what follows;
 *  - absolute values and runs (fills and progressions, written 16 values at a
 *    time) are decoded inside the same loop.
 *
 * Two builds of the same loop: SSE2 (every x86-64 CPU) and portable C for
 * other CPUs.  Both are compiled where SSE2 exists, so that tests can check
 * both against the reference decoder.
 */
#ifndef ELSCINT_RLE1_FAST_H
#define ELSCINT_RLE1_FAST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64) || \
    (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define ELSCINT_HAVE_SSE2 1
#include <emmintrin.h>
#else
#define ELSCINT_HAVE_SSE2 0
#endif

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define ELSCINT_INLINE static __forceinline
#else
#define ELSCINT_INLINE static inline __attribute__((always_inline))
#endif

#define ELSCINT_RLE_ESCAPE 0xA5
#define ELSCINT_DELTA_ESCAPE 0x5A
#define ELSCINT_WINDOW 64
/* A window, plus the largest block read past its end (15 bytes), plus one. */
#define ELSCINT_READ_MARGIN 80
/* Plain deltas up to a window's end, rounded up to whole blocks of 16. */
#define ELSCINT_WRITE_MARGIN 80

/* Index of the lowest set bit of a non-zero word. */
ELSCINT_INLINE int elscint_ctz64(uint64_t word)
{
#if defined(_MSC_VER) && !defined(__clang__)
    unsigned long index;
    _BitScanForward64(&index, word);
    return (int)index;
#else
    return __builtin_ctzll(word);
#endif
}

/* ---- portable C ------------------------------------------------------- */

/* Bit i set where byte i of the 8 bytes at s is an escape. */
ELSCINT_INLINE unsigned elscint_mask8_portable(const uint8_t *s)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    uint64_t word, a, b, zero_a, zero_b, high;
    memcpy(&word, s, 8);
    a = word ^ 0xA5A5A5A5A5A5A5A5ULL;
    b = word ^ 0x5A5A5A5A5A5A5A5AULL;
    /* The high bit of each byte of zero_x is set exactly where x has a 0x00. */
    zero_a = ~(((a & low7) + low7) | a | low7);
    zero_b = ~(((b & low7) + low7) | b | low7);
    high = (zero_a | zero_b) >> 7; /* one bit at the bottom of each byte */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    high = __builtin_bswap64(high);
#endif
    return (unsigned)((high * 0x0102040810204080ULL) >> 56);
}

ELSCINT_INLINE uint64_t elscint_mask64_portable(const uint8_t *s)
{
    uint64_t mask = 0;
    int i;
    for (i = 0; i < 8; i++)
        mask |= (uint64_t)elscint_mask8_portable(s + 8 * i) << (8 * i);
    return mask;
}

/* Decode the 16 plain deltas at s into d after value; return the last value. */
ELSCINT_INLINE uint16_t elscint_block_portable(const uint8_t *s, uint16_t *d, uint16_t value)
{
    int i;
    for (i = 0; i < 16; i++) {
        value = (uint16_t)(value + (int8_t)s[i]);
        d[i] = value;
    }
    return value;
}

/* ---- SSE2 ------------------------------------------------------------- */

#if ELSCINT_HAVE_SSE2

ELSCINT_INLINE uint64_t elscint_mask64_sse2(const uint8_t *s)
{
    const __m128i rle = _mm_set1_epi8((char)ELSCINT_RLE_ESCAPE);
    const __m128i delta = _mm_set1_epi8((char)ELSCINT_DELTA_ESCAPE);
    uint64_t mask = 0;
    int i;
    for (i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + 16 * i));
        __m128i e = _mm_or_si128(_mm_cmpeq_epi8(v, rle), _mm_cmpeq_epi8(v, delta));
        mask |= (uint64_t)(uint32_t)_mm_movemask_epi8(e) << (16 * i);
    }
    return mask;
}

/* Inclusive prefix sum of eight int16 lanes. */
ELSCINT_INLINE __m128i elscint_prefix8(__m128i x)
{
    x = _mm_add_epi16(x, _mm_slli_si128(x, 2));
    x = _mm_add_epi16(x, _mm_slli_si128(x, 4));
    return _mm_add_epi16(x, _mm_slli_si128(x, 8));
}

/* Lane 7 of x in every lane. */
ELSCINT_INLINE __m128i elscint_last_lane(__m128i x)
{
    return _mm_shuffle_epi32(_mm_shufflehi_epi16(x, 0xFF), 0xFF);
}

/* As elscint_block_portable, with the running value in every lane of run. */
ELSCINT_INLINE __m128i elscint_block_sse2(const uint8_t *s, uint16_t *d, __m128i run)
{
    __m128i bytes = _mm_loadu_si128((const __m128i *)s);
    __m128i lo = elscint_prefix8(_mm_srai_epi16(_mm_unpacklo_epi8(bytes, bytes), 8));
    __m128i hi = elscint_prefix8(_mm_srai_epi16(_mm_unpackhi_epi8(bytes, bytes), 8));
    hi = _mm_add_epi16(hi, elscint_last_lane(lo));
    _mm_storeu_si128((__m128i *)d, _mm_add_epi16(lo, run));
    _mm_storeu_si128((__m128i *)(d + 8), _mm_add_epi16(hi, run));
    return _mm_add_epi16(run, elscint_last_lane(hi));
}

#else
#define elscint_mask64_sse2 elscint_mask64_portable
#endif

/* ---- the loop, shared by both builds -------------------------------- */

/*
 * Decode the k plain deltas at s into d after value (k may be 0); return the
 * value of the last one.  Writes ceil(max(k, 1) / 16) * 16 values and reads
 * as many bytes.
 */
ELSCINT_INLINE uint16_t elscint_plain(const uint8_t *s, uint16_t *d, ptrdiff_t k,
                                      uint16_t value, const int simd)
{
    ptrdiff_t j = 0;
    const uint16_t *last = k > 0 ? d + k - 1 : &value;
#if ELSCINT_HAVE_SSE2
    if (simd) {
        __m128i run = _mm_set1_epi16((short)value);
        do {
            run = elscint_block_sse2(s + j, d + j, run);
            j += 16;
        } while (j < k);
        return *last;
    }
#endif
    {
        uint16_t v = value;
        do {
            v = elscint_block_portable(s + j, d + j, v);
            j += 16;
        } while (j < k);
    }
    return *last;
}

/*
 * Write the n values value + step, value + 2 step, ... (all equal to value
 * when step is 0) at d, in whole blocks of 16 (the caller guarantees room).
 */
ELSCINT_INLINE void elscint_fill(uint16_t *d, ptrdiff_t n, uint16_t value, uint16_t step,
                                 const int simd)
{
    ptrdiff_t j;
#if ELSCINT_HAVE_SSE2
    if (simd) {
        const __m128i ramp = _mm_setr_epi16(1, 2, 3, 4, 5, 6, 7, 8);
        __m128i v = _mm_add_epi16(_mm_set1_epi16((short)value),
                                  _mm_mullo_epi16(_mm_set1_epi16((short)step), ramp));
        const __m128i stride = _mm_set1_epi16((short)(uint16_t)(step * 8u));
        for (j = 0; j < n; j += 16) {
            _mm_storeu_si128((__m128i *)(d + j), v);
            v = _mm_add_epi16(v, stride);
            _mm_storeu_si128((__m128i *)(d + j + 8), v);
            v = _mm_add_epi16(v, stride);
        }
        return;
    }
#endif
    for (j = 0; j < n; j++) {
        value = (uint16_t)(value + step);
        d[j] = value;
    }
}

ELSCINT_INLINE void elscint_rle1_fast_impl(const uint8_t *src, ptrdiff_t size, uint16_t *dst,
                                           ptrdiff_t npix, ptrdiff_t *pos_io, ptrdiff_t *o_io,
                                           uint16_t *value_io, const int simd)
{
    ptrdiff_t p = *pos_io, o = *o_io, base, shift, k, n;
    uint16_t value = *value_io, step;
    uint64_t bitmap, m;
    uint8_t lo, hi, v;

    if (size - p < ELSCINT_READ_MARGIN || npix - o < ELSCINT_WRITE_MARGIN)
        return;
    base = p;
    bitmap = simd ? elscint_mask64_sse2(src + p) : elscint_mask64_portable(src + p);
    for (;;) {
        /* Invariants: base + READ_MARGIN <= size; base <= p <= base + WINDOW + 2;
         * the bitmap marks the escapes among the bytes base .. base + WINDOW - 1. */
        if (npix - o < ELSCINT_WRITE_MARGIN)
            break;
        shift = p - base;
        m = shift < ELSCINT_WINDOW ? bitmap >> shift : 0;
        if (m == 0) {
            /* No escape before the window's end: decode up to it, then move the window. */
            k = base + ELSCINT_WINDOW - p;
            if (k > 0) {
                value = elscint_plain(src + p, dst + o, k, value, simd);
                p += k;
                o += k;
            }
            if (size - p < ELSCINT_READ_MARGIN)
                break;
            base = p;
            bitmap = simd ? elscint_mask64_sse2(src + p) : elscint_mask64_portable(src + p);
            continue;
        }
        k = elscint_ctz64(m);
        value = elscint_plain(src + p, dst + o, k, value, simd);
        p += k;
        o += k;
        /* An escape at p, inside the window: p + 2 < size. */
        lo = src[p + 1];
        hi = src[p + 2];
        if (src[p] == ELSCINT_DELTA_ESCAPE) {
            /* Absolute values, often several in a row. */
            do {
                lo = src[p + 1];
                hi = src[p + 2];
                if (lo == ELSCINT_RLE_ESCAPE || hi == ELSCINT_RLE_ESCAPE)
                    goto done; /* the value's bytes come from runs */
                value = (uint16_t)(lo | (hi << 8));
                dst[o++] = value;
                p += 3;
            } while (src[p] == ELSCINT_DELTA_ESCAPE && p - base < ELSCINT_WINDOW &&
                     o < npix - ELSCINT_WRITE_MARGIN);
            continue;
        }
        n = (ptrdiff_t)lo + 1;
        v = hi;
        if (v == ELSCINT_DELTA_ESCAPE || npix - o < n + 16)
            break; /* a run of absolute values, or near the output's end */
        step = (uint16_t)(int16_t)(int8_t)v;
        elscint_fill(dst + o, n, value, step, simd);
        value = (uint16_t)(value + (uint16_t)(step * (uint16_t)n));
        o += n;
        p += 3;
    }
done:
    *pos_io = p;
    *o_io = o;
    *value_io = value;
}

/* Paths: 0 none (the caller's general loop does everything), 1 portable C, 2 SSE2. */
#define ELSCINT_PATH_NONE 0
#define ELSCINT_PATH_PORTABLE 1
#define ELSCINT_PATH_SSE2 2

static void elscint_rle1_fast(const uint8_t *src, ptrdiff_t size, uint16_t *dst, ptrdiff_t npix,
                              ptrdiff_t *pos_io, ptrdiff_t *o_io, uint16_t *value_io, int path)
{
    if (path == ELSCINT_PATH_SSE2 && ELSCINT_HAVE_SSE2)
        elscint_rle1_fast_impl(src, size, dst, npix, pos_io, o_io, value_io, 1);
    else if (path != ELSCINT_PATH_NONE)
        elscint_rle1_fast_impl(src, size, dst, npix, pos_io, o_io, value_io, 0);
}

#endif /* ELSCINT_RLE1_FAST_H */
