"""Load one input file for processing: bytes (or a read-only map), structure, header."""

import hashlib
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple

from elscint_codec.converter.header import Header, read_header
from elscint_codec.converter.scan import ParsedFile, looks_like_dicom, parse
from elscint_codec.converter.sources import Item, read_item

__all__ = ["Loaded", "expected_pixel_bytes", "load", "pixel_value_hash"]

_SNIFF = 2048


class Loaded(NamedTuple):
    """An input file in memory (or mapped), with its structure when it is DICOM.

    Attributes
    ----------
    buf : bytes or mmap.mmap
        The file's bytes.
    parsed : ParsedFile or None
        None when the file is not DICOM (see ``not_dicom``).
    header : Header or None
        None when not DICOM or not walkable (big endian, deflated).
    not_dicom : str
        Why the file is not DICOM ('' when it is).
    """

    buf: Any
    parsed: ParsedFile | None
    header: Header | None
    not_dicom: str

    def fingerprint(self) -> str:
        """Return the SHA-256 of the whole file."""
        return hashlib.sha256(self.buf).hexdigest()


#: Files up to this size are read into memory (one system call, no page faults);
#: larger ones (a big standard file to copy) are mapped, so memory stays bounded.
READ_LIMIT = 16 << 20


def _read_all(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break  # the file shrank meanwhile
        chunks.append(chunk)
        size -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@contextmanager
def _mapped(path: str) -> Iterator[Any]:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            yield b""
            return
        if size <= READ_LIMIT:
            yield _read_all(fd, size)
            return
        mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        try:
            yield mapped
        finally:
            with suppress(BufferError):  # a view still referenced: closed when collected
                mapped.close()
    finally:
        os.close(fd)


@contextmanager
def load(item: Item) -> Iterator[Loaded]:
    """Open ``item`` and yield it as :class:`Loaded`.

    Raises
    ------
    OSError, zipfile.BadZipFile
        The input cannot be read.
    DatasetError
        The file is DICOM but truncated or malformed.
    """
    if item.member is not None:
        head = read_item(item, _SNIFF)
        if not head:
            yield Loaded(b"", None, None, "empty file")
            return
        if not looks_like_dicom(head):
            yield Loaded(head, None, None, _why_not(head))
            return
        yield _as_loaded(read_item(item))
        return
    with _mapped(item.path) as buf:
        yield _as_loaded(buf)


def _as_loaded(buf: Any) -> Loaded:
    if len(buf) == 0:
        return Loaded(buf, None, None, "empty file")
    if not looks_like_dicom(bytes(buf[:_SNIFF])):
        return Loaded(buf, None, None, _why_not(bytes(buf[:_SNIFF])))
    parsed = parse(buf)
    header = read_header(buf, parsed) if parsed.walkable else None
    return Loaded(buf, parsed, header, "")


def _why_not(head: bytes) -> str:
    kinds = (
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"PK\x03\x04", "a zip archive inside a zip archive (extract it first)"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
    )
    for magic, kind in kinds:
        if head.startswith(magic):
            return f"not a DICOM file ({kind})"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "not a DICOM file (no DICM marker and no DICOM element at the start)"
    return "not a DICOM file (a text file)"


def expected_pixel_bytes(header: Header) -> int:
    """Return the length of a native Pixel Data value without the pad byte."""
    samples = header.samples or 1
    return header.rows * header.columns * samples * max(header.bits_allocated, 8) // 8


def pixel_value_hash(buf: Any, header: Header) -> str:
    """Return the SHA-256 of the stored (7FE0,0010) value without the pad byte.

    Returns '' when there is no Pixel Data.
    """
    element = header.pixel_data
    if element is None:
        return ""
    start, end = element.value_start, element.value_end
    expected = expected_pixel_bytes(header)
    if expected % 2 and end - start == expected + 1:
        end -= 1  # the pad byte of an odd-length value
    digest = hashlib.sha256()
    with memoryview(buf) as view, view[start:end] as value:
        digest.update(value)
    return digest.hexdigest()
