/*
 * Baseline for the benchmarks only (never part of the package): a PMSCT_RLE1
 * decoder written the straightforward way the known readers do it.
 *
 *   pass 1: expand the runs (A5 n v) into a temporary buffer allocated per
 *           call and sized generously (three bytes per pixel plus one
 *           longest run), checking every write against its size;
 *   pass 2: decode the deltas (5A lo hi = absolute value) from that buffer
 *           into the output, checking every read and write.
 *
 * Returns the number of pixels written, or -1 when the stream is too short
 * (the image is incomplete), or -2 when the temporary buffer is not there.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

long baseline_rle1_decode(const uint8_t *src, size_t size, uint16_t *dst, size_t npix)
{
    size_t capacity = 3 * npix + 257;
    uint8_t *expanded = malloc(capacity);
    size_t i = 0, used = 0, p = 0, o = 0;
    uint16_t value = 0;

    if (expanded == NULL)
        return -2;

    /* Pass 1: runs. */
    while (i < size && used < capacity) {
        uint8_t b = src[i];
        if (b == 0xA5) {
            size_t count;
            if (i + 2 >= size)
                break;
            count = (size_t)src[i + 1] + 1;
            if (count > capacity - used)
                count = capacity - used;
            memset(expanded + used, src[i + 2], count);
            used += count;
            i += 3;
        } else {
            expanded[used++] = b;
            i += 1;
        }
    }

    /* Pass 2: deltas. */
    while (o < npix && p < used) {
        uint8_t b = expanded[p];
        if (b == 0x5A) {
            if (p + 2 >= used)
                break;
            value = (uint16_t)(expanded[p + 1] | (expanded[p + 2] << 8));
            p += 3;
        } else {
            value = (uint16_t)(value + (int8_t)b);
            p += 1;
        }
        dst[o++] = value;
    }

    free(expanded);
    return o == npix ? (long)o : -1;
}

/* The same call shape with no work: measures the ctypes call overhead. */
long baseline_noop(const uint8_t *src, size_t size, uint16_t *dst, size_t npix)
{
    (void)src;
    (void)dst;
    return (long)(size + npix);
}
