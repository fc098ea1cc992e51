# The element record shared by _scan (which writes it) and _splice (which reads it).
from libc.stdint cimport int64_t


cdef extern from "_records.h":
    ctypedef struct elscint_record:
        int64_t tag
        int64_t vr
        int64_t start
        int64_t value_start
        int64_t end
