# cython: boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled fast path of the converter's element walker.

:func:`walk_explicit` walks Explicit VR Little Endian data elements of
defined length, the nearly universal case, and stops at the first element
it does not handle (undefined length, an item tag, an unknown VR, a value
past the end): :mod:`elscint_codec.converter.scan` reads that one with its
careful Python path, which raises the precise errors, and calls this again.
Every read is checked against the buffer size before it is made.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memset


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
    cdef Py_ssize_t size = buf.shape[0]
    cdef const uint8_t* data
    cdef uint32_t group, number, length, slot
    cdef Py_ssize_t value_start, end
    cdef list found = []
    cdef bint plain = elscint_is_plain_tuple_type(element)
    cdef object tag, vr, made
    cdef object start_object = None, end_object
    if kinds is not _kinds_seen:
        _learn(kinds)
    if stop > size:
        stop = size
    if pos < 0 or size == 0:
        return found, pos
    data = &buf[0]
    while stop - pos >= 8:
        group = u16(data + pos)
        number = u16(data + pos + 2)
        if group == 0xFFFE or (group_only >= 0 and group != group_only):
            break
        slot = _slot[(data[pos + 4] << 8) | data[pos + 5]]
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
        tag = (group << 16) | number
        vr = _names[slot - 1]
        if start_object is None:
            start_object = pos
        end_object = end  # also the start of the next element: one int object for both
        if plain:
            made = elscint_element(element, tag, vr, start_object, value_start, length,
                                   end_object)
        else:
            made = elscint_tuple_of(
                element, (tag, vr, start_object, value_start, length, end_object)
            )
        found.append(made)
        if index is not None:
            index.setdefault(tag, made)
        start_object = end_object
        pos = end
    return found, pos


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
    ValueError
        An element's value lies outside ``buf``.
    """
    cdef Py_ssize_t size = buf.shape[0]
    cdef Py_ssize_t start, end
    cdef list found = []
    for tag in tags:
        element = index.get(tag)
        if element is None or element[4] == 0xFFFFFFFF or element[1] == "SQ":
            found.append(b"")
            continue
        start = element[3]
        end = element[5]
        if not 0 <= start <= end <= size:
            raise ValueError(f"the value of {tag!r} (bytes {start}..{end}) is not inside the file")
        found.append(PyBytes_FromStringAndSize(<const char*>&buf[0] + start, end - start))
    return found
