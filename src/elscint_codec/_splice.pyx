# cython: boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled splice of the converter's standard file.

:func:`splice` lays out the data set of an Explicit VR Little Endian output:
the kept elements of the input as few byte spans as possible, rewritten
group lengths, and the Pixel Data pieces before the first element with a
higher tag.  It does what ``elscint_codec.converter.writer`` does in Python
(kept as the reference the tests compare with) in one loop in C;
:func:`splice_records` does the same from the element records of
``_scan.index_explicit``.  Every span is checked against the buffer before
it is copied.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.tuple cimport PyTuple_Check, PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from ._records cimport elscint_record


cdef enum:
    PIXEL_DATA = 0x7FE00010
    PIXEL_GROUP = 0x7FE0


cdef struct Placed:
    uint32_t tag
    Py_ssize_t start
    Py_ssize_t value_start
    Py_ssize_t length
    Py_ssize_t end


cdef bytes _span(const uint8_t* data, Py_ssize_t size, Py_ssize_t start, Py_ssize_t end):
    if not 0 <= start <= end <= size:
        raise ValueError(f"bytes {start}..{end} are not inside the file ({size} bytes)")
    return PyBytes_FromStringAndSize(<const char*>data + start, end - start)


cdef Py_ssize_t _read(elements, removed, Placed* placed) except -1:
    """Fill ``placed`` with the elements whose tag is not in ``removed``; return how many."""
    cdef Py_ssize_t i, count = 0
    cdef uint32_t tag
    for i, element in enumerate(elements):
        if not PyTuple_Check(element) or PyTuple_GET_SIZE(element) < 6:
            raise ValueError(f"element {i} is not (tag, vr, start, value_start, length, end)")
        tag = <object>PyTuple_GET_ITEM(element, 0)
        if tag in removed:
            continue
        placed[count].tag = tag
        placed[count].start = <object>PyTuple_GET_ITEM(element, 2)
        placed[count].value_start = <object>PyTuple_GET_ITEM(element, 3)
        placed[count].length = <object>PyTuple_GET_ITEM(element, 4)
        placed[count].end = <object>PyTuple_GET_ITEM(element, 5)
        count += 1
    return count


cdef list _lay_out(const uint8_t[::1] buf, Placed* placed, Py_ssize_t count, changed,
                   list pixel, Py_ssize_t pixel_size):
    """The pieces of the output data set from the kept elements in ``placed``."""
    cdef Py_ssize_t size = buf.shape[0]
    cdef const uint8_t* data = &buf[0] if size else NULL
    cdef Py_ssize_t group_count = len(changed)
    cdef Py_ssize_t i, j, span_start = -1, span_end = -1
    cdef list pieces = []
    cdef bint inserted = False, rewrite
    cdef uint32_t group
    cdef unsigned long long total = 0
    cdef unsigned char[4] encoded
    cdef uint32_t* groups = <uint32_t*>malloc(max(group_count, 1) * sizeof(uint32_t))
    cdef unsigned long long* totals = <unsigned long long*>malloc(
        max(group_count, 1) * sizeof(unsigned long long)
    )
    if groups == NULL or totals == NULL:
        free(groups)
        free(totals)
        raise MemoryError()
    try:
        for j, value in enumerate(changed):
            groups[j] = value
            totals[j] = pixel_size if value == PIXEL_GROUP else 0
        for i in range(count):  # what each changed group holds, without its group length
            if placed[i].tag & 0xFFFF:
                group = placed[i].tag >> 16
                for j in range(group_count):
                    if groups[j] == group:
                        totals[j] += <unsigned long long>(placed[i].end - placed[i].start)
        for i in range(count):
            if not inserted and placed[i].tag > PIXEL_DATA:
                if span_end > span_start:
                    pieces.append(_span(data, size, span_start, span_end))
                span_start = span_end = -1
                pieces.extend(pixel)
                inserted = True
            rewrite = False
            if placed[i].tag & 0xFFFF == 0 and placed[i].length == 4:
                group = placed[i].tag >> 16
                for j in range(group_count):
                    if groups[j] == group:
                        rewrite = True
                        total = totals[j]
            if rewrite:
                if span_end > span_start:
                    pieces.append(_span(data, size, span_start, span_end))
                span_start = span_end = -1
                if total > 0xFFFFFFFF:
                    raise ValueError(f"group {group:04X} would be {total} bytes, over 4 GiB")
                pieces.append(_span(data, size, placed[i].start, placed[i].value_start))
                encoded[0] = total & 0xFF
                encoded[1] = (total >> 8) & 0xFF
                encoded[2] = (total >> 16) & 0xFF
                encoded[3] = (total >> 24) & 0xFF
                pieces.append(PyBytes_FromStringAndSize(<const char*>encoded, 4))
                continue
            if placed[i].start == span_end:
                span_end = placed[i].end
            else:
                if span_end > span_start:
                    pieces.append(_span(data, size, span_start, span_end))
                span_start, span_end = placed[i].start, placed[i].end
        if span_end > span_start:
            pieces.append(_span(data, size, span_start, span_end))
        if not inserted:
            pieces.extend(pixel)
    finally:
        free(groups)
        free(totals)
    return pieces


def splice(const uint8_t[::1] buf, tuple elements not None, removed not None, changed not None,
           list pixel not None, Py_ssize_t pixel_size):
    """Return the pieces (bytes, and the items of ``pixel``) of the output data set.

    Parameters
    ----------
    buf : buffer
        The input file's bytes.
    elements : tuple of Element
        The top-level elements of the input, in file order.
    removed : collection of int
        Tags of the elements the output leaves out.
    changed : collection of int
        Groups that lose or gain an element: their group length (gggg,0000),
        when 4 bytes long, is recomputed from the kept elements.
    pixel : list
        The encoded Pixel Data element, in pieces.
    pixel_size : int
        Their total size (added to the length of group 7FE0).

    Raises
    ------
    ValueError
        An element lies outside ``buf``, or a group grows past 4 GiB.
    """
    cdef Py_ssize_t count = len(elements)
    cdef Placed* placed = <Placed*>malloc(max(count, 1) * sizeof(Placed))
    if placed == NULL:
        raise MemoryError()
    try:
        count = _read(elements, removed, placed)
        return _lay_out(buf, placed, count, changed, pixel, pixel_size)
    finally:
        free(placed)


def splice_records(const uint8_t[::1] buf, const uint8_t[::1] records, removed not None,
                   changed not None, list pixel not None, Py_ssize_t pixel_size):
    """Return the pieces of the output data set, as :func:`splice`, from element records.

    Parameters
    ----------
    buf : buffer
        The input file's bytes.
    records : buffer
        The top-level elements as ``_scan.index_explicit`` records them.
    removed, changed, pixel, pixel_size
        As for :func:`splice`.

    Raises
    ------
    ValueError
        ``records`` is not whole records, an element lies outside ``buf``, or
        a group grows past 4 GiB.
    """
    cdef Py_ssize_t i, j, count = 0, total_records, removed_count = len(removed)
    cdef elscint_record record
    cdef bint dropped
    if records.shape[0] % sizeof(elscint_record):
        raise ValueError(f"{records.shape[0]} bytes are not whole element records")
    total_records = records.shape[0] // sizeof(elscint_record)
    cdef const uint8_t* base = &records[0] if total_records else NULL
    cdef long long* dropped_tags = <long long*>malloc(max(removed_count, 1) * sizeof(long long))
    cdef Placed* placed = <Placed*>malloc(max(total_records, 1) * sizeof(Placed))
    if dropped_tags == NULL or placed == NULL:
        free(dropped_tags)
        free(placed)
        raise MemoryError()
    try:
        for j, tag in enumerate(removed):
            dropped_tags[j] = tag
        for i in range(total_records):
            memcpy(&record, base + i * <Py_ssize_t>sizeof(elscint_record), sizeof(record))
            dropped = False
            for j in range(removed_count):
                if dropped_tags[j] == record.tag:
                    dropped = True
            if dropped:
                continue
            if not 0 <= record.tag <= 0xFFFFFFFF:
                raise ValueError(f"record {i} has no valid tag ({record.tag})")
            placed[count].tag = <uint32_t>record.tag
            placed[count].start = record.start
            placed[count].value_start = record.value_start
            placed[count].length = record.end - record.value_start
            placed[count].end = record.end
            count += 1
        return _lay_out(buf, placed, count, changed, pixel, pixel_size)
    finally:
        free(dropped_tags)
        free(placed)
