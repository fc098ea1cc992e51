# cython: boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled fast path of the converter's element walker.

:func:`walk_explicit` walks Explicit VR Little Endian data elements of
defined length, the nearly universal case, and stops at the first element
it does not handle (undefined length, an item tag, an unknown VR, a value
past the end): :mod:`elscint_codec.converter.scan` reads that one with its
careful Python path, which raises the precise errors, and calls this again.
Every read is checked against the buffer size before it is made.
"""

from libc.stdint cimport uint8_t, uint32_t


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
    """
    object elscint_tuple_of(object type, object items)


cdef inline uint32_t u16(const uint8_t* p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8)


cdef inline uint32_t u32(const uint8_t* p) noexcept nogil:
    return p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)


def walk_explicit(const uint8_t[::1] buf, Py_ssize_t pos, Py_ssize_t stop, dict kinds not None,
                  type element not None, long group_only=-1):
    """Return ``(elements, pos)``: the plain elements from ``pos`` on, and where they end.

    Parameters
    ----------
    buf : buffer
        The file's bytes.
    pos, stop : int
        Where the data set level starts and ends (``stop`` <= ``len(buf)``).
    kinds : dict
        ``(first VR byte << 8) | second VR byte`` -> ``(VR, has a 32-bit length)``.
    element : type
        The named tuple to build: (tag, vr, start, value_start, length, end).
    group_only : int, optional
        Stop at the first element of another group (e.g. 0x0002: the file
        meta information); -1 (default) walks every group.

    Returns
    -------
    tuple
        The list of elements, and the offset of the first element not read
        (``stop`` when the level was read to its end).
    """
    cdef Py_ssize_t size = buf.shape[0]
    cdef const uint8_t* data
    cdef uint32_t group, number, length
    cdef Py_ssize_t value_start, end
    cdef list found = []
    cdef object kind
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
        kind = kinds.get((data[pos + 4] << 8) | data[pos + 5])
        if kind is None:
            break
        if kind[1]:
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
        found.append(elscint_tuple_of(
            element, ((group << 16) | number, kind[0], pos, value_start, length, end)
        ))
        pos = end
    return found, pos
