# cython: language_level=3
"""Flush one whole file system to disk: Linux ``syncfs(2)``, which :mod:`os` lacks.

The converter writes a batch of files without ``fsync`` and flushes them with
one call of this before it renames them into place (see
:func:`elscint_codec.converter.writer.sync_tree`).  Compiled so that the
converter needs no :mod:`ctypes` (a few milliseconds at every start).
"""

cdef extern from *:
    """
    #if defined(__linux__)
    #include <unistd.h>
    #include <errno.h>
    #define ELSCINT_HAVE_SYNCFS 1
    static int elscint_syncfs(int fd) { return syncfs(fd) == 0 ? 0 : errno; }
    #else
    #include <errno.h>
    #define ELSCINT_HAVE_SYNCFS 0
    static int elscint_syncfs(int fd) { (void)fd; return ENOSYS; }
    #endif
    """
    const int ELSCINT_HAVE_SYNCFS
    int elscint_syncfs(int fd) nogil


#: Whether :func:`syncfs` works on this platform (Linux only).
AVAILABLE = bool(ELSCINT_HAVE_SYNCFS)


def syncfs(int fd):
    """Flush every file of the file system that holds ``fd``; return 0 or an errno.

    Parameters
    ----------
    fd : int
        Any open file descriptor on that file system (e.g. of its folder).

    Returns
    -------
    int
        0 on success, else the error number (``errno.EBADF``, ``errno.EIO``,
        ``errno.ENOSPC``...; ``errno.ENOSYS`` where ``AVAILABLE`` is False).
    """
    cdef int code
    with nogil:
        code = elscint_syncfs(fd)
    return code
