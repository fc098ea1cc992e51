"""Find the input files: walk files, folders and zip archives as a stream.

Sources are walked lazily in a fixed (sorted) order, so the file list never
sits in memory and two runs see the files in the same order.  Zip archives
are read in place; their member names are made safe with
:func:`~elscint_codec.converter.layout.safe_relative` (no zip-slip).  Symbolic
links to folders are followed, but a link back to a folder being walked
(a loop) is reported instead.  Whether a file is DICOM is decided later, by
content, not here.
"""

import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from elscint_codec.converter.layout import safe_component, safe_relative

if TYPE_CHECKING:
    import zipfile  # imported where a zip archive is met: it costs milliseconds at start-up

__all__ = [
    "Item",
    "Problem",
    "Root",
    "count",
    "iter_sources",
    "open_item",
    "plan_roots",
    "read_item",
]


class Root(NamedTuple):
    """One SOURCE given by the user and where its files go under OUTPUT."""

    path: Path
    prefix: tuple[str, ...]
    kind: str  # "folder", "zip" or "file"


class Item(NamedTuple):
    """One input file (or zip member) to process.

    Attributes
    ----------
    path : str
        File system path of the file, or of the zip archive holding it.
    member : str or None
        Name of the member inside the archive.
    relative : tuple of str
        Safe output path below OUTPUT for the mirror layout.
    display : str
        The input as shown in reports (``archive.zip!/member`` for members).
    size : int
        Size in bytes (uncompressed for zip members).
    """

    path: str
    member: str | None
    relative: tuple[str, ...]
    display: str
    size: int


class Problem(NamedTuple):
    """Something found while walking that is not a file to convert."""

    display: str
    reason: str


def _zip_stem(path: Path) -> str:
    return path.stem if path.suffix.lower() == ".zip" else path.name


def is_zip(path: Path) -> bool:
    """Whether ``path`` is a zip archive (by extension and content)."""
    return path.suffix.lower() == ".zip" and _is_zip_content(path)


def _is_zip_content(path: str | os.PathLike[str]) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


def plan_roots(sources: Sequence[Path]) -> list[Root]:
    """Decide where each SOURCE goes under OUTPUT.

    One folder: its contents directly under OUTPUT.  Several sources, a zip
    or a single file: ``OUTPUT/<source name>/...`` (a single file lands at
    ``OUTPUT/<file name>``); equal names get ``~2``, ``~3``.
    """
    if len(sources) == 1 and sources[0].is_dir():
        return [Root(sources[0], (), "folder")]
    roots: list[Root] = []
    used: set[str] = set()
    for source in sources:
        kind = "folder" if source.is_dir() else "zip" if is_zip(source) else "file"
        name = safe_component(_zip_stem(source) if kind == "zip" else source.name)
        unique, attempt = name, 1
        while unique.casefold() in used:
            attempt += 1
            unique = f"{name}~{attempt}"
        used.add(unique.casefold())
        roots.append(Root(source, (unique,), kind))
    return roots


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda e: e.name)


def _walk_zip(path: Path, prefix: tuple[str, ...]) -> Iterator[Item | Problem]:
    import zipfile

    display = os.path.abspath(path)
    try:
        archive = zipfile.ZipFile(path)
    except OSError as exc:
        yield Problem(display, f"cannot open the zip archive: {exc.strerror or 'read error'}")
        return
    except zipfile.BadZipFile:
        yield Problem(display, "cannot open the zip archive: it is damaged or not a zip file")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            member_display = f"{display}!/{info.filename}"
            if stat.S_ISLNK(info.external_attr >> 16):
                yield Problem(member_display, "symbolic link inside the archive, not followed")
                continue
            relative = safe_relative(info.filename.replace("\\", "/").split("/"))
            if not relative:
                yield Problem(member_display, "archive member without a usable name")
                continue
            yield Item(str(path), info.filename, prefix + relative, member_display, info.file_size)


def _walk_folder(root: Path, prefix: tuple[str, ...]) -> Iterator[Item | Problem]:
    start = root.stat()
    stack: list[tuple[Path, tuple[str, ...], frozenset[tuple[int, int]]]] = [
        (root, prefix, frozenset({(start.st_dev, start.st_ino)}))
    ]
    while stack:
        folder, relative, ancestors = stack.pop()
        try:
            entries = _sorted_entries(folder)
        except OSError as exc:
            yield Problem(os.path.abspath(folder), f"cannot read this folder: {exc.strerror}")
            continue
        subfolders: list[tuple[Path, tuple[str, ...], frozenset[tuple[int, int]]]] = []
        names = {e.name for e in entries}
        base = os.path.abspath(folder)  # once per folder, not per file
        for entry in entries:
            display = os.path.join(base, entry.name)
            try:
                info = entry.stat()
            except OSError:
                yield Problem(display, "broken symbolic link or unreadable entry")
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    yield Problem(display, "symbolic link loop: it points back to a parent folder")
                    continue
                child = (*relative, safe_component(entry.name))
                subfolders.append((Path(entry.path), child, ancestors | {key}))
            elif not stat.S_ISREG(info.st_mode):
                yield Problem(display, "not a regular file (device, pipe or socket)")
            elif os.path.splitext(entry.name)[1].lower() == ".zip" and _is_zip_content(entry.path):
                path = Path(entry.path)
                stem = path.stem if path.stem not in names else path.name.replace(".", "_")
                yield from _walk_zip(path, (*relative, safe_component(stem)))
            else:
                name = safe_component(entry.name)
                yield Item(entry.path, None, (*relative, name), display, info.st_size)
        stack.extend(reversed(subfolders))


def iter_sources(roots: Sequence[Root]) -> Iterator[Item | Problem]:
    """Yield every input file of ``roots`` (and problems found on the way), lazily."""
    for root in roots:
        if root.kind == "folder":
            yield from _walk_folder(root.path, root.prefix)
        elif root.kind == "zip":
            yield from _walk_zip(root.path, root.prefix)
        else:
            try:
                size = root.path.stat().st_size
            except OSError as exc:
                yield Problem(os.path.abspath(root.path), f"cannot read: {exc.strerror}")
                continue
            yield Item(str(root.path), None, root.prefix, os.path.abspath(root.path), size)


def count(roots: Sequence[Root]) -> tuple[int, int]:
    """Return (number of input files, total bytes) without reading any file."""
    files = total = 0
    for item in iter_sources(roots):
        if isinstance(item, Item):
            files += 1
            total += item.size
    return files, total


class _ZipCache:
    """Keep the last archive open: reopening a large zip per member costs O(members)."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.archive: zipfile.ZipFile | None = None

    def get(self, path: str) -> "zipfile.ZipFile":
        if self.archive is None or self.path != path:
            import zipfile

            self.close()
            self.archive = zipfile.ZipFile(path)
            self.path = path
        return self.archive

    def close(self) -> None:
        if self.archive is not None:
            with suppress(OSError):
                self.archive.close()
        self.archive = self.path = None


_ZIPS = _ZipCache()


def _forget_inherited_archive() -> None:
    """In a forked worker: never share the parent's open archive (and its file offset)."""
    _ZIPS.archive = _ZIPS.path = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_archive)


def open_item(item: Item) -> IO[bytes]:
    """Open ``item`` for reading (a zip member is decompressed as it is read)."""
    if item.member is None:
        return open(item.path, "rb")
    return _ZIPS.get(item.path).open(item.member)


def read_item(item: Item, limit: int | None = None) -> bytes:
    """Return the bytes of ``item`` (at most ``limit`` bytes)."""
    with open_item(item) as stream:
        return stream.read() if limit is None else stream.read(limit)
