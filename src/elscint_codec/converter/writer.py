"""Build the standard file for an Elscint input and write files atomically.

The standard file is what a Philips workstation would export: the decoded
image in (7FE0,0010), Explicit VR Little Endian, the private compressed
stream and compression type removed, a regenerated file meta group, and
every other element copied byte for byte from the input (splicing, not
re-encoding).  Implicit VR input is re-encoded header by header with
:mod:`elscint_codec.converter.transcode`; values keep their bytes.

Files are written to a temporary name with the one fixed prefix
:data:`TEMP_PREFIX` in the target folder, flushed to disk, and renamed by
the caller with :func:`os.replace`, so a killed run never leaves a partial
output file under its final name.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from elscint_codec import _splice, _syncfs
from elscint_codec.constants import (
    IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
    TEMP_PREFIX,
)
from elscint_codec.converter.header import PIXEL_DATA, Header
from elscint_codec.converter.pixels import Decoded
from elscint_codec.converter.scan import EXPLICIT_VR_LITTLE_ENDIAN, Element, ParsedFile
from elscint_codec.converter.transcode import VrRules, element_header, transcode
from elscint_codec.errors import DatasetError

__all__ = [
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
    "TEMP_PREFIX",
    "batch_sync_available",
    "copy_to_temp",
    "file_meta",
    "remove_leftover_temp_files",
    "standard_file",
    "sync_tree",
    "write_temp",
]


_KEPT_META = (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102)


def _padded(value: bytes, vr: str) -> bytes:
    if len(value) % 2 == 0:
        return value
    return value + (b"\0" if vr in ("UI", "OB", "UN") else b" ")


def _meta_element(tag: int, vr: str, value: bytes) -> bytes:
    value = _padded(value, vr)
    return element_header(tag, vr, len(value)) + value


def file_meta(sop_class_uid: str, sop_instance_uid: str, kept: Iterable[bytes] = ()) -> bytes:
    """Return the encoded file meta group (0002) of a standard output file.

    Parameters
    ----------
    sop_class_uid, sop_instance_uid : str
        Become Media Storage SOP Class / Instance UID.
    kept : iterable of bytes
        Already encoded optional meta elements copied from the input, in tag
        order, all after (0002,0013).
    """
    body = b"".join(
        [
            _META_VERSION,
            _meta_element(0x00020002, "UI", sop_class_uid.encode("ascii")),
            _meta_element(0x00020003, "UI", sop_instance_uid.encode("ascii")),
            _META_SYNTAX_AND_IMPLEMENTATION,
            *kept,
        ]
    )
    return _meta_element(0x00020000, "UL", struct.pack("<I", len(body))) + body


# The meta elements that are the same in every output file, encoded once.
_META_VERSION = _meta_element(0x00020001, "OB", b"\x00\x01")
_META_SYNTAX_AND_IMPLEMENTATION = b"".join(
    [
        _meta_element(0x00020010, "UI", EXPLICIT_VR_LITTLE_ENDIAN.encode("ascii")),
        _meta_element(0x00020012, "UI", IMPLEMENTATION_CLASS_UID.encode("ascii")),
        _meta_element(0x00020013, "SH", IMPLEMENTATION_VERSION_NAME.encode("ascii")),
    ]
)


def _fix_group_lengths(
    items: list[tuple[int, bytes]], groups: set[int] | None, pixel_size: int
) -> None:
    """Recompute (gggg,0000) of ``groups`` (all groups when None) in place.

    The Pixel Data entry of ``items`` is a placeholder; ``pixel_size`` is its
    encoded size.
    """
    for index, (tag, encoded) in enumerate(items):
        group = tag >> 16
        if tag & 0xFFFF or (groups is not None and group not in groups) or len(encoded) < 4:
            continue
        total = sum(len(b) for t, b in items if t >> 16 == group and t & 0xFFFF)
        if group == PIXEL_DATA >> 16:
            total += pixel_size
        items[index] = (tag, encoded[:-4] + struct.pack("<I", total))


def _transcoded_body(
    buf: Any, header: Header, kept: list[Element], pixel: list[Any]
) -> list[bytes | memoryview]:
    """The data set of an implicit-VR input, re-encoded element by element."""
    rules = VrRules(header.pixel_representation, header.bits_allocated)
    items = transcode(buf, kept, rules)
    position = next((i for i, (tag, _) in enumerate(items) if tag > PIXEL_DATA), len(items))
    items.insert(position, (PIXEL_DATA, b""))
    _fix_group_lengths(items, None, sum(len(p) for p in pixel))
    pieces: list[bytes | memoryview] = []
    for tag, encoded in items:
        if tag == PIXEL_DATA:
            pieces.extend(pixel)
        else:
            pieces.append(encoded)
    return pieces


#: The compiled splice (:mod:`elscint_codec._splice`); ``[None]`` splices with
#: :func:`_spliced_body` alone (the tests compare both).
COMPILED_SPLICE: list[Any] = [_splice.splice]


def _spliced_body(
    buf: Any, kept: list[Element], changed: set[int], pixel: list[Any]
) -> list[bytes | memoryview]:
    """The data set of an explicit-VR input: runs of kept elements copied as byte spans.

    Only a group length (gggg,0000) of a group that loses or gains an element is
    rewritten; Pixel Data goes before the first element with a higher tag.
    """
    pixel_size = sum(len(p) for p in pixel)
    pieces: list[bytes | memoryview] = []
    span_start = span_end = -1
    inserted = False
    for element in kept:
        if not inserted and element.tag > PIXEL_DATA:
            if span_end > span_start:
                pieces.append(bytes(buf[span_start:span_end]))
            span_start = span_end = -1
            pieces.extend(pixel)
            inserted = True
        group = element.tag >> 16
        if element.tag & 0xFFFF == 0 and group in changed and element.length == 4:
            if span_end > span_start:
                pieces.append(bytes(buf[span_start:span_end]))
            span_start = span_end = -1
            total = sum(e.end - e.start for e in kept if e.group == group and e.tag & 0xFFFF)
            if group == PIXEL_DATA >> 16:
                total += pixel_size
            pieces.append(bytes(buf[element.start : element.value_start]))
            pieces.append(struct.pack("<I", total))
            continue
        if element.start == span_end:
            span_end = element.end
        else:
            if span_end > span_start:
                pieces.append(bytes(buf[span_start:span_end]))
            span_start, span_end = element.start, element.end
    if span_end > span_start:
        pieces.append(bytes(buf[span_start:span_end]))
    if not inserted:
        pieces.extend(pixel)
    return pieces


def standard_file(
    buf: Any, parsed: ParsedFile, header: Header, decoded: Decoded
) -> list[bytes | memoryview]:
    """Return the pieces of the standard file for an Elscint input.

    Raises
    ------
    DatasetError
        SOP Class UID or SOP Instance UID is missing, so no file meta can be built.
    """
    if not header.sop_instance_uid or not header.sop_class_uid:
        what = "(0008,0018) SOP Instance UID" if not header.sop_instance_uid else "SOP Class UID"
        raise DatasetError(f"{what} is missing, so no valid file meta can be written")
    removed = set(header.removed)
    value = decoded.value
    pad = b"\0" if len(value) % 2 else b""
    pixel: list[Any] = [element_header(PIXEL_DATA, decoded.vr, len(value) + len(pad)), value]
    if pad:
        pixel.append(pad)
    splice = COMPILED_SPLICE[0]
    changed = {t >> 16 for t in removed} | {PIXEL_DATA >> 16}
    if not parsed.implicit and splice is not None:
        size = sum(map(len, pixel))
        if parsed.records is not None:  # the elements as records: no tuple per element
            body = _splice.splice_records(buf, parsed.records, removed, changed, pixel, size)
        else:
            body = splice(buf, parsed.elements, removed, changed, pixel, size)
    else:
        kept = [e for e in parsed.elements if e.tag not in removed]
        if parsed.implicit:
            body = _transcoded_body(buf, header, kept, pixel)
        else:
            body = _spliced_body(buf, kept, changed, pixel)
    meta_kept = [
        bytes(buf[e.start : e.end]) for e in parsed.meta if e.tag in _KEPT_META and e.vr != ""
    ]
    meta = file_meta(header.sop_class_uid, header.sop_instance_uid, meta_kept)
    return [bytes(128) + b"DICM" + meta, *body]


def _temp_path(directory: str) -> str:
    return os.path.join(directory, f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}")


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


class _LastFolder:
    """The folder the previous file went to: files come in walk order, so most share it."""

    path: str | None = None


def _open_temp(directory: str | os.PathLike[str]) -> tuple[str, int]:
    folder = os.fspath(directory)
    if folder != _LastFolder.path:
        os.makedirs(folder, exist_ok=True)
        _LastFolder.path = folder
    path = _temp_path(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:  # removed behind our back: create it again
        _LastFolder.path = None
        os.makedirs(folder, exist_ok=True)
        fd = os.open(path, flags, 0o666)
    return path, fd


_IOV_MAX = 512  # well below every platform's limit for one writev call


def _write_all(fd: int, pieces: Iterable[bytes | memoryview]) -> None:
    """Write every piece to ``fd``, in few system calls (``writev`` where available)."""
    views = [memoryview(piece).cast("B") for piece in pieces]
    try:
        if not hasattr(os, "writev"):  # pragma: no cover - Windows
            for view in views:
                while len(view):
                    view = view[os.write(fd, view) :]
            return
        pending = [view for view in views if len(view)]
        while pending:
            written = os.writev(fd, pending[:_IOV_MAX])
            while pending and written >= len(pending[0]):
                written -= len(pending.pop(0))
            if written:
                pending[0] = pending[0][written:]
    finally:
        for view in views:
            view.release()


def write_temp(
    directory: str | os.PathLike[str], pieces: Iterable[bytes | memoryview], *, sync: bool = True
) -> Path:
    """Write ``pieces`` to a new temporary file in ``directory``.

    With ``sync`` the file is flushed to disk before returning; without, the
    caller must call :func:`sync_tree` before renaming it.

    Returns
    -------
    Path
        The temporary file; the caller renames it with :func:`os.replace`.
    """
    path, fd = _open_temp(directory)
    try:
        try:
            _write_all(fd, pieces)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _remove(path)
        raise
    return Path(path)


def copy_to_temp(
    directory: str | os.PathLike[str], source: IO[bytes], *, sync: bool = True
) -> Path:
    """Copy the readable binary stream ``source`` to a temporary file in ``directory``."""
    import shutil  # only standard files are copied; a conversion need not import it

    path, fd = _open_temp(directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            shutil.copyfileobj(source, stream, 1 << 20)
            stream.flush()
            if sync:
                os.fsync(stream.fileno())
    except BaseException:
        _remove(path)
        raise
    return Path(path)


def batch_sync_available() -> bool:
    """Whether :func:`sync_tree` can flush many files at once (Linux ``syncfs``)."""
    return _syncfs.AVAILABLE


def sync_tree(root: Path) -> None:
    """Flush every file written on the file system of ``root`` to disk (one ``syncfs``).

    One call costs about as much as one ``fsync``, so the converter writes a
    batch of temporary files without ``fsync``, calls this once, and only
    then renames them to their final names.

    Raises
    ------
    OSError
        The flush failed (e.g. an I/O error or a full disk on write-back).
    """
    fd = os.open(root, os.O_RDONLY)
    try:
        code = _syncfs.syncfs(fd)  # ENOSYS off Linux: callers check batch_sync_available()
    finally:
        os.close(fd)
    if code:
        raise OSError(code, os.strerror(code), str(root))


def remove_leftover_temp_files(root: Path) -> tuple[int, int]:
    """Delete the temporary files a killed run left under ``root``.

    Returns
    -------
    tuple of int
        Number of files removed, and the total size in bytes of the other
        files found under ``root`` (the output already written).
    """
    removed = total = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif not entry.is_file(follow_symlinks=False):
                    continue
                elif entry.name.startswith(TEMP_PREFIX):
                    Path(entry.path).unlink(missing_ok=True)
                    removed += 1
                else:
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return removed, total
