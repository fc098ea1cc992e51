# cython: boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled fast path of the converter's element walker.

:func:`walk_explicit` walks Explicit VR Little Endian data elements of
defined length, the nearly universal case, and stops at the first element
it does not handle (undefined length, an item tag, an unknown VR, a value
past the end): :mod:`elscint_codec.converter.scan` reads that one with its
careful Python path, which raises the precise errors, and calls this again.
:func:`index_explicit` walks the same elements into compact records (no
Python object per element); :func:`record_values`, :func:`record_find`,
:func:`record_tags` and :func:`record_elements` read them.
Every read is checked against the buffer size before it is made.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.tuple cimport PyTuple_Check, PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy, memset

from ._records cimport elscint_record


cdef extern from *:
    """
    /* tuple.__new__(type, items): a named tuple without its Python-level __new__. */
    static PyObject* elscint_tuple_of(PyObject* type, PyObject* items) {
        PyObject* args = PyTuple_Pack(1, items);
        PyObject* made;
        if (args == NULL) return NULL;
        made = PyTuple_Type.tp_new((PyTypeObject*)type, args, NULL);
        Py_DECREF(args);
        return made;
    }
    /* Whether instances of ``type`` are laid out exactly as a tuple (a named tuple). */
    static int elscint_is_plain_tuple_type(PyObject* type) {
        PyTypeObject* t = (PyTypeObject*)type;
        return PyType_IsSubtype(t, &PyTuple_Type)
            && t->tp_basicsize == PyTuple_Type.tp_basicsize
            && t->tp_itemsize == PyTuple_Type.tp_itemsize
            && t->tp_dictoffset == 0;
    }
    /* An instance of such a type holding the six objects (borrowed references),
       built directly: no items tuple, no argument tuple. */
    static PyObject* elscint_element(PyObject* type, PyObject* tag, PyObject* vr,
                                     PyObject* start, Py_ssize_t value_start,
                                     unsigned long length, PyObject* end) {
        PyObject* value_object = PyLong_FromSsize_t(value_start);
        PyObject* length_object;
        PyObject* made;
        if (value_object == NULL) return NULL;
        length_object = PyLong_FromUnsignedLong(length);
        if (length_object == NULL) {
            Py_DECREF(value_object);
            return NULL;
        }
        made = ((PyTypeObject*)type)->tp_alloc((PyTypeObject*)type, 6);
        if (made == NULL) {
            Py_DECREF(value_object);
            Py_DECREF(length_object);
            return NULL;
        }
        Py_INCREF(tag);
        Py_INCREF(vr);
        Py_INCREF(start);
        Py_INCREF(end);
        PyTuple_SET_ITEM(made, 0, tag);
        PyTuple_SET_ITEM(made, 1, vr);
        PyTuple_SET_ITEM(made, 2, start);
        PyTuple_SET_ITEM(made, 3, value_object);
        PyTuple_SET_ITEM(made, 4, length_object);
        PyTuple_SET_ITEM(made, 5, end);
        return made;
    }
    """
    object elscint_tuple_of(object type, object items)
    bint elscint_is_plain_tuple_type(object type)
    object elscint_element(object type, object tag, object vr, object start,
                           Py_ssize_t value_start, unsigned long length, object end)


cdef inline uint32_t u16(const uint8_t* p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8)


cdef inline uint32_t u32(const uint8_t* p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


# The VR table of the last ``kinds`` mapping seen: slot[code] is 0 for an unknown VR,
# else 1 + the index into names / longs.
cdef unsigned char _slot[65536]
cdef list _names = []
cdef unsigned char _longs[256]
cdef object _kinds_seen = None
cdef enum:
    _SQ_CODE = 0x5351  # the VR bytes "SQ"


cdef int _learn(dict kinds) except -1:
    """Build the VR table from ``kinds`` (code -> (VR, has a 32-bit length))."""
    global _kinds_seen, _names
    _kinds_seen = None  # until the table is complete: a failure here is not remembered
    if len(kinds) > 255:
        raise ValueError("at most 255 VRs")
    memset(_slot, 0, sizeof(_slot))
    names = []
    for code, kind in kinds.items():
        if not 0 <= code <= 0xFFFF:
            raise ValueError(f"VR code {code!r} is not two bytes")
        vr, long = kind
        _longs[len(names)] = 1 if long else 0
        names.append(vr)
        _slot[code] = <unsigned char>len(names)
    _names = names
    _kinds_seen = kinds
    return 0


cdef Py_ssize_t _walk(const uint8_t* data, Py_ssize_t size, Py_ssize_t pos, Py_ssize_t stop,
                      long group_only, elscint_record** records, Py_ssize_t* count) except -1:
    """Record the plain elements from ``pos`` on; return the offset of the first one not read.

    ``*records`` is a ``malloc`` block that grows as needed (the caller frees it,
    also after an error); ``*count`` is how many it holds.
    """
    cdef uint32_t group, number, length, slot, code
    cdef Py_ssize_t value_start, end, capacity = 0
    cdef elscint_record* grown
    cdef elscint_record* record
    if stop > size:
        stop = size
    if pos < 0 or size == 0:
        return pos
    while stop - pos >= 8:
        group = u16(data + pos)
        number = u16(data + pos + 2)
        if group == 0xFFFE or (group_only >= 0 and group != group_only):
            break
        code = (data[pos + 4] << 8) | data[pos + 5]
        slot = _slot[code]
        if slot == 0:
            break
        if _longs[slot - 1]:
            if pos + 12 > size:
                break
            length = u32(data + pos + 8)
            value_start = pos + 12
        else:
            length = u16(data + pos + 6)
            value_start = pos + 8
        if length == 0xFFFFFFFF:
            break
        end = value_start + length
        if end > stop:
            break
        if count[0] == capacity:
            capacity = 2 * capacity if capacity else 128
            grown = <elscint_record*>realloc(records[0], capacity * sizeof(elscint_record))
            if grown == NULL:
                raise MemoryError()
            records[0] = grown
        record = records[0] + count[0]
        record.tag = (group << 16) | number
        record.vr = code
        record.start = pos
        record.value_start = value_start
        record.end = end
        count[0] += 1
        pos = end
    return pos


cdef Py_ssize_t _walk_buffer(const uint8_t[::1] buf, Py_ssize_t pos, Py_ssize_t stop,
                             dict kinds, long group_only, elscint_record** records,
                             Py_ssize_t* count) except -1:
    """:func:`_walk` over ``buf`` with the VR table of ``kinds``."""
    if kinds is not _kinds_seen:
        _learn(kinds)
    return _walk(&buf[0] if buf.shape[0] else NULL, buf.shape[0], pos, stop, group_only,
                 records, count)


cdef inline elscint_record _record(const uint8_t* records, Py_ssize_t i) noexcept nogil:
    cdef elscint_record record
    memcpy(&record, records + i * <Py_ssize_t>sizeof(elscint_record), sizeof(elscint_record))
    return record


cdef list _elements_of(const uint8_t* records, Py_ssize_t count, type element, dict index):
    """The named tuples of ``records`` (VR names from the current table), indexed if asked."""
    cdef list found = []
    cdef bint plain = elscint_is_plain_tuple_type(element)
    cdef Py_ssize_t i, previous_end = -1
    cdef uint32_t slot
    cdef elscint_record record
    cdef object tag, vr, made, start_object = None, end_object = None
    for i in range(count):
        record = _record(records, i)
        slot = _slot[record.vr] if 0 <= record.vr <= 0xFFFF else 0
        if slot == 0:
            raise ValueError(f"record {i} has a VR code ({record.vr}) the table lacks")
        tag = record.tag
        vr = _names[slot - 1]
        # An element starts where the previous one ends: one int object for both.
        start_object = end_object if record.start == previous_end else record.start
        end_object = record.end
        previous_end = record.end
        if plain:
            made = elscint_element(element, tag, vr, start_object, record.value_start,
                                   record.end - record.value_start, end_object)
        else:
            made = elscint_tuple_of(element, (tag, vr, start_object, record.value_start,
                                              record.end - record.value_start, end_object))
        found.append(made)
        if index is not None:
            index.setdefault(tag, made)
    return found


def walk_explicit(const uint8_t[::1] buf, Py_ssize_t pos, Py_ssize_t stop, dict kinds not None,
                  type element not None, long group_only=-1, dict index=None):
    """Return ``(elements, pos)``: the plain elements from ``pos`` on, and where they end.

    Parameters
    ----------
    buf : buffer
        The file's bytes.
    pos, stop : int
        Where the data set level starts and ends (``stop`` <= ``len(buf)``).
    kinds : dict
        ``(first VR byte << 8) | second VR byte`` -> ``(VR, has a 32-bit length)``.
        Read into a table when a different mapping than last time is passed
        (the same mapping must not change between calls).
    element : type
        The named tuple to build: (tag, vr, start, value_start, length, end).
    group_only : int, optional
        Stop at the first element of another group (e.g. 0x0002: the file
        meta information); -1 (default) walks every group.
    index : dict, optional
        Also record each element under its tag here, unless the tag is
        already there (the first of a repeated tag wins).

    Returns
    -------
    tuple
        The list of elements, and the offset of the first element not read
        (``stop`` when the level was read to its end).
    """
    cdef elscint_record* records = NULL
    cdef Py_ssize_t count = 0
    try:
        pos = _walk_buffer(buf, pos, stop, kinds, group_only, &records, &count)
        return _elements_of(<const uint8_t*>records, count, element, index), pos
    finally:
        free(records)


def index_explicit(const uint8_t[::1] buf, Py_ssize_t pos, Py_ssize_t stop, dict kinds not None):
    """Return ``(records, pos)``: the plain elements from ``pos`` on as compact records.

    What :func:`walk_explicit` finds (every group), without building a Python
    object per element: the converter reads the few values it needs with
    :func:`record_values`, and :mod:`elscint_codec._splice` lays out the output
    from the records directly.

    Parameters
    ----------
    buf : buffer
        The file's bytes.
    pos, stop : int
        Where the data set level starts and ends.
    kinds : dict
        The VR table, as for :func:`walk_explicit`.

    Returns
    -------
    tuple
        The records (bytes: five native 64-bit integers per element: tag, VR
        code, start, value start, end; see ``_records.h``) and the offset of
        the first element not read.
    """
    cdef elscint_record* records = NULL
    cdef Py_ssize_t count = 0
    try:
        pos = _walk_buffer(buf, pos, stop, kinds, -1, &records, &count)
        return PyBytes_FromStringAndSize(<const char*>records, count * sizeof(elscint_record)), pos
    finally:
        free(records)


cdef Py_ssize_t _record_count(const uint8_t[::1] records) except -1:
    if records.shape[0] % sizeof(elscint_record):
        raise ValueError(f"{records.shape[0]} bytes are not whole element records")
    return records.shape[0] // sizeof(elscint_record)


def record_elements(const uint8_t[::1] records, dict kinds not None, type element not None):
    """Return the elements of ``records`` as a list of ``element`` tuples.

    Raises
    ------
    ValueError
        ``records`` is not whole records, or holds a VR code ``kinds`` lacks.
    """
    cdef Py_ssize_t count = _record_count(records)
    if kinds is not _kinds_seen:
        _learn(kinds)
    return _elements_of(&records[0] if count else NULL, count, element, None)


def record_find(const uint8_t[::1] records, long long tag, dict kinds not None,
                type element not None):
    """Return the first element ``tag`` of ``records`` as an ``element`` tuple, or None."""
    cdef Py_ssize_t i, count = _record_count(records)
    cdef const uint8_t* base = &records[0] if count else NULL
    cdef elscint_record record
    if kinds is not _kinds_seen:
        _learn(kinds)
    for i in range(count):
        record = _record(base, i)
        if record.tag == tag:
            return _elements_of(base + i * <Py_ssize_t>sizeof(elscint_record), 1, element,
                                None)[0]
    return None


def record_tags(const uint8_t[::1] records, long long low, long long high):
    """Return the tags from ``low`` to ``high`` (inclusive) in ``records``, in file order."""
    cdef Py_ssize_t i, count = _record_count(records)
    cdef const uint8_t* base = &records[0] if count else NULL
    cdef elscint_record record
    cdef list found = []
    for i in range(count):
        record = _record(base, i)
        if low <= record.tag <= high:
            found.append(record.tag)
    return found


def record_values(const uint8_t[::1] buf, const uint8_t[::1] records, tuple tags not None):
    """Return the value bytes of each tag in ``tags``, as :func:`values` does for records.

    The first element of a repeated tag counts; a missing tag or a sequence
    (VR SQ) gives ``b""``.

    Raises
    ------
    ValueError
        ``records`` is not whole records, or a value lies outside ``buf``.
    """
    cdef Py_ssize_t size = buf.shape[0]
    cdef Py_ssize_t i, count = _record_count(records)
    cdef const uint8_t* base = &records[0] if count else NULL
    cdef long long wanted
    cdef elscint_record record
    cdef list found = []
    cdef bint seen
    for tag in tags:
        wanted = tag
        seen = False
        for i in range(count):
            record = _record(base, i)
            if record.tag == wanted:
                seen = True
                break
        if not seen or record.vr == _SQ_CODE:
            found.append(b"")
            continue
        if not 0 <= record.start <= record.value_start <= record.end <= size:
            raise ValueError(f"the value of {tag!r} (bytes {record.value_start}..{record.end}) "
                             "is not inside the file")
        found.append(PyBytes_FromStringAndSize(<const char*>&buf[0] + record.value_start,
                                               record.end - record.value_start))
    return found


def values(const uint8_t[::1] buf, dict index not None, tuple tags not None):
    """Return the value bytes of each tag in ``tags`` (``b""`` when absent or not plain).

    Parameters
    ----------
    buf : buffer
        The file's bytes.
    index : dict
        Tag -> element (tag, vr, start, value_start, length, end), as
        :func:`walk_explicit` records them.
    tags : tuple of int
        The tags wanted.

    Returns
    -------
    list of bytes
        One value per tag; empty for a missing element, a sequence (VR SQ)
        or an undefined length.

    Raises
    ------
    TypeError
        An entry of ``index`` is not such a tuple.
    ValueError
        An element's value lies outside ``buf``.
    """
    cdef Py_ssize_t size = buf.shape[0]
    cdef Py_ssize_t start, end
    cdef list found = []
    cdef object element, length
    for tag in tags:
        element = index.get(tag)
        if element is None:
            found.append(b"")
            continue
        # Items read straight from the tuple: indexing a named tuple through the
        # sequence protocol calls its Python-level __getitem__, ten times slower.
        if not PyTuple_Check(element) or PyTuple_GET_SIZE(element) < 6:
            raise TypeError(f"the element of {tag!r} is not (tag, vr, start, value_start, "
                            "length, end)")
        length = <object>PyTuple_GET_ITEM(element, 4)
        if length == 0xFFFFFFFF or <object>PyTuple_GET_ITEM(element, 1) == "SQ":
            found.append(b"")
            continue
        start = <object>PyTuple_GET_ITEM(element, 3)
        end = <object>PyTuple_GET_ITEM(element, 5)
        if not 0 <= start <= end <= size:
            raise ValueError(f"the value of {tag!r} (bytes {start}..{end}) is not inside the file")
        found.append(PyBytes_FromStringAndSize(<const char*>&buf[0] + start, end - start))
    return found
