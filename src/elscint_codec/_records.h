/*
 * The record of one top-level data element, as elscint_codec._scan.index_explicit
 * writes it and elscint_codec._scan / elscint_codec._splice read it: five
 * native-endian 64-bit integers, copied in and out with memcpy (a Python
 * bytes object need not be aligned for them).  Only elements of defined
 * length are recorded, so the value length is end - value_start.
 */
#ifndef ELSCINT_RECORDS_H
#define ELSCINT_RECORDS_H

#include <stdint.h>

typedef struct {
    int64_t tag;         /* group << 16 | element number */
    int64_t vr;          /* the two VR bytes: first << 8 | second */
    int64_t start;       /* offset of the element header */
    int64_t value_start; /* offset of the value */
    int64_t end;         /* offset just past the value */
} elscint_record;

#endif /* ELSCINT_RECORDS_H */
