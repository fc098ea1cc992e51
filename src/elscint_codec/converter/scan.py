"""Walk the data elements of a DICOM file's bytes without decoding their values.

The converter copies every element it keeps byte for byte, so it needs the
byte range of each top-level element rather than a parsed pydicom dataset.
:func:`parse` finds the preamble, the file meta group and the top-level
elements of the data set; nested sequences of undefined length are walked
only to find where they end.  Every read is bounds-checked: a file that ends
inside an element raises :class:`~elscint_codec.errors.DatasetError` naming
the element and the byte offset.
"""

import struct
from collections.abc import Iterator
from typing import Any, NamedTuple

from elscint_codec import _scan
from elscint_codec.errors import DatasetError

__all__ = [
    "EXPLICIT_VR_BIG_ENDIAN",
    "EXPLICIT_VR_LITTLE_ENDIAN",
    "IMPLICIT_VR_LITTLE_ENDIAN",
    "ITEM",
    "ITEM_END",
    "LONG_VRS",
    "SEQUENCE_END",
    "UNDEFINED",
    "VALID_VRS",
    "Element",
    "NotDicomError",
    "ParsedFile",
    "iter_elements",
    "looks_like_dicom",
    "parse",
    "tag_text",
]

IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99"
EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2"

UNDEFINED = 0xFFFFFFFF
ITEM = 0xFFFEE000
ITEM_END = 0xFFFEE00D
SEQUENCE_END = 0xFFFEE0DD
_MAX_DEPTH = 64

#: Explicit VRs whose header has two reserved bytes and a 32-bit length.
LONG_VRS = frozenset(
    {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
)
VALID_VRS = LONG_VRS | frozenset(
    {
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO",
        "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US",
    }
)  # fmt: skip
_VR_BYTES = frozenset(vr.encode("ascii") for vr in VALID_VRS)
_VR_NAMES = {vr.encode("ascii"): vr for vr in VALID_VRS}
#: Raw VR bytes -> (VR, whether the header has a 32-bit length).
_VR_KINDS = {raw: (vr, vr in LONG_VRS) for raw, vr in _VR_NAMES.items()}
#: The same keyed by the two VR bytes as one number, for the compiled walker.
_VR_CODES = {(raw[0] << 8) | raw[1]: kind for raw, kind in _VR_KINDS.items()}

_TAG = struct.Struct("<HH")
_EXPLICIT = struct.Struct("<HH2sH")
_ITEM = struct.Struct("<HHI")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")


class NotDicomError(ValueError):
    """The bytes are not a DICOM file (neither Part 10 nor a plain data set)."""


def tag_text(tag: int) -> str:
    """Return ``tag`` as ``(GGGG,EEEE)``."""
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


class Element(NamedTuple):
    """Where one data element lies in the file (a tuple: cheap to create by the thousand).

    Attributes
    ----------
    tag : int
        Group in the high 16 bits, element number in the low 16 bits.
    vr : str
        The explicit VR, or ``""`` for an implicit-VR element.
    start : int
        Offset of the first byte of the element header.
    value_start : int
        Offset of the first byte of the value.
    length : int
        Value length as stored; :data:`UNDEFINED` for undefined length.
    end : int
        Offset just past the element (past its delimiter if undefined length).
    """

    tag: int
    vr: str
    start: int
    value_start: int
    length: int
    end: int

    @property
    def value_end(self) -> int:
        """Offset just past the value (before the delimiter, if any)."""
        return self.end if self.length != UNDEFINED else self.end - 8

    @property
    def group(self) -> int:
        """The group number."""
        return self.tag >> 16


class ParsedFile:
    """The structure of one DICOM file.

    The top-level elements of a data set the compiled walk reads to its end
    are kept as compact records (see ``_scan.index_explicit``); ``elements``
    and ``by_tag`` build the :class:`Element` tuples from them the first time
    they are asked for, while :meth:`find`, :meth:`values` and the compiled
    splice read the records directly.

    Attributes
    ----------
    preamble : bytes or None
        The 128-byte preamble, ``None`` for a plain data set without one.
    meta : tuple of Element
        File meta elements (group 0002), possibly empty.
    transfer_syntax : str
        (0002,0010) Transfer Syntax UID, or the encoding found by looking at
        the first data element when there is no file meta.
    implicit : bool
        Whether the data set is Implicit VR Little Endian.
    walkable : bool
        False for big endian or deflated data sets.
    records : bytes or None
        The top-level elements as records, or None when they were read as
        :class:`Element` tuples.
    """

    __slots__ = ("_by_tag", "_elements", "implicit", "meta", "preamble", "records",
                 "transfer_syntax", "walkable")  # fmt: skip

    def __init__(
        self,
        preamble: bytes | None,
        meta: tuple[Element, ...],
        transfer_syntax: str,
        implicit: bool,
        elements: tuple[Element, ...] = (),
        walkable: bool = True,
        by_tag: dict[int, Element] | None = None,
        *,
        records: bytes | None = None,
    ) -> None:
        self.preamble = preamble
        self.meta = meta
        self.transfer_syntax = transfer_syntax
        self.implicit = implicit
        self.walkable = walkable
        self.records = records
        self._elements: tuple[Element, ...] | None = None if records is not None else elements
        self._by_tag = by_tag

    @property
    def elements(self) -> tuple[Element, ...]:
        """Top-level data set elements; empty for encodings this module cannot walk."""
        if self._elements is None:
            assert self.records is not None
            self._elements = tuple(_scan.record_elements(self.records, _VR_CODES, Element))
        return self._elements

    @property
    def by_tag(self) -> dict[int, Element]:
        """Top-level elements by tag (the first of a repeated tag)."""
        if self._by_tag is None:
            index: dict[int, Element] = {}
            for element in self.elements:
                index.setdefault(element.tag, element)
            self._by_tag = index
        return self._by_tag

    def find(self, tag: int) -> Element | None:
        """Return the top-level element ``tag``, or None."""
        if self.records is not None:
            found: Element | None = _scan.record_find(self.records, tag, _VR_CODES, Element)
            return found
        return self.by_tag.get(tag)

    def find_meta(self, tag: int) -> Element | None:
        """Return the file meta element ``tag``, or None."""
        for element in self.meta:
            if element.tag == tag:
                return element
        return None

    def tags_between(self, low: int, high: int) -> list[int]:
        """Return the top-level tags from ``low`` to ``high`` (inclusive), in file order."""
        if self.records is not None:
            tags: list[int] = _scan.record_tags(self.records, low, high)
            return tags
        return [e.tag for e in self.elements if low <= e.tag <= high]

    def values(self, buf: Any, tags: tuple[int, ...]) -> list[bytes]:
        """Return the value bytes of each top-level element in ``tags``.

        ``b""`` for a missing element, a sequence or an undefined length.
        """
        if self.records is not None:
            found: list[bytes] = _scan.record_values(buf, self.records, tags)
        else:
            found = _scan.values(buf, self.by_tag, tags)
        return found


def _truncated(buf: Any, offset: int, size: int, what: str) -> DatasetError:
    return DatasetError(
        f"the file is truncated: it ends at byte {len(buf)}, inside {what} "
        f"which needs bytes up to {offset + size}"
    )


def _read_header(buf: Any, pos: int, implicit: bool) -> tuple[int, str, int, int]:
    """Return (tag, vr, length, value offset) of the element header at ``pos``."""
    size = len(buf)
    if pos + 8 > size:
        raise _truncated(buf, pos, 8, f"the element header at byte {pos}")
    group, number, raw_vr, short_length = _EXPLICIT.unpack_from(buf, pos)
    tag = (group << 16) | number
    if implicit or group == 0xFFFE:
        return tag, "", _U32.unpack_from(buf, pos + 4)[0], pos + 8
    vr = _VR_NAMES.get(raw_vr)
    if vr is None:
        raise DatasetError(
            f"element {tag_text(tag)} at byte {pos} has no valid VR ({raw_vr!r}); "
            "the file is damaged or not Explicit VR Little Endian"
        )
    if vr in LONG_VRS:
        if pos + 12 > size:
            raise _truncated(buf, pos, 12, f"the header of element {tag_text(tag)}")
        return tag, vr, _U32.unpack_from(buf, pos + 8)[0], pos + 12
    return tag, vr, short_length, pos + 8


def _skip_undefined(buf: Any, pos: int, implicit: bool, owner: int, depth: int) -> int:
    """Return the offset just past the sequence delimiter of a value starting at ``pos``."""
    if depth > _MAX_DEPTH:
        raise DatasetError(f"sequences nested more than {_MAX_DEPTH} deep in {tag_text(owner)}")
    size = len(buf)
    while True:
        if pos + 8 > size:
            raise _truncated(buf, pos, 8, f"the value of element {tag_text(owner)}")
        group, number, length = _ITEM.unpack_from(buf, pos)
        tag = (group << 16) | number
        if tag == SEQUENCE_END:
            return pos + 8
        if tag != ITEM:
            raise DatasetError(
                f"element {tag_text(owner)} holds {tag_text(tag)} at byte {pos} where an item "
                "or the end of the sequence should be; the file is damaged"
            )
        if length != UNDEFINED:
            if pos + 8 + length > size:
                raise _truncated(buf, pos + 8, length, f"an item of element {tag_text(owner)}")
            pos += 8 + length
            continue
        pos += 8
        while True:  # an item of undefined length: elements up to the item delimiter
            if pos + 8 > size:
                raise _truncated(buf, pos, 8, f"an item of element {tag_text(owner)}")
            group, number = _TAG.unpack_from(buf, pos)
            if (group << 16) | number == ITEM_END:
                pos += 8
                break
            pos = _element_at(buf, pos, implicit, depth + 1).end


def _element_at(buf: Any, pos: int, implicit: bool, depth: int = 0) -> Element:
    tag, vr, length, value_start = _read_header(buf, pos, implicit)
    if length == UNDEFINED:
        # SQ content keeps the data set's encoding; UN content is always implicit.
        inner_implicit = implicit or vr == "UN"
        end = _skip_undefined(buf, value_start, inner_implicit, tag, depth)
        return Element(tag, vr, pos, value_start, length, end)
    if value_start + length > len(buf):
        raise _truncated(buf, value_start, length, f"the value of element {tag_text(tag)}")
    return Element(tag, vr, pos, value_start, length, value_start + length)


#: The compiled walker of plain explicit-VR elements; ``[None]`` walks in Python
#: alone (the tests compare both).
COMPILED_WALK: list[Any] = [_scan.walk_explicit]


def iter_elements(
    buf: Any, start: int, end: int | None = None, *, implicit: bool
) -> Iterator[Element]:
    """Yield the elements of one data set level from ``start`` to ``end``.

    Parameters
    ----------
    buf : buffer
        The file's bytes (bytes, bytearray, mmap, memoryview).
    start, end : int
        Byte range of the data set; ``end`` defaults to the end of ``buf``.
    implicit : bool
        Implicit VR Little Endian (True) or Explicit VR Little Endian.

    Raises
    ------
    DatasetError
        An element is truncated or malformed.
    """
    stop = len(buf) if end is None else end
    size = len(buf)
    pos = start
    unpack_header, unpack_u32, kinds = _EXPLICIT.unpack_from, _U32.unpack_from, _VR_KINDS
    make = tuple.__new__  # Element(...) without the Python-level __new__: the hot loop
    walk = None if implicit else COMPILED_WALK[0]
    while pos < stop:
        if walk is not None:
            # Plain explicit-VR elements in compiled code; it stops before any other.
            found, pos = walk(buf, pos, stop, _VR_CODES, Element)
            yield from found
            if pos >= stop:
                return
        if stop - pos < 8:
            if not any(bytes(buf[pos:stop])):
                return  # a few zero bytes of padding after the last element
            raise _truncated(buf, pos, 8, f"the element header at byte {pos}")
        # Fast path: an explicit-VR element of defined length (nearly all of them).
        group, number, raw_vr, length = unpack_header(buf, pos)
        kind = None if implicit or group == 0xFFFE else kinds.get(raw_vr)
        element: Element | None = None
        if kind is not None:
            vr, long = kind
            value_start = pos + 8
            if long:
                length = unpack_u32(buf, value_start)[0] if pos + 12 <= size else UNDEFINED
                value_start += 4
            if length != UNDEFINED and value_start + length <= size:
                element = make(
                    Element,
                    ((group << 16) | number, vr, pos, value_start, length, value_start + length),
                )
        if element is None:
            element = _element_at(buf, pos, implicit)  # the careful path, with its errors
        if element.end > stop:
            raise DatasetError(f"element {tag_text(element.tag)} runs past its data set")
        yield element
        pos = element.end


def _looks_explicit(buf: Any, pos: int) -> bool:
    return len(buf) >= pos + 6 and bytes(buf[pos + 4 : pos + 6]) in _VR_BYTES


def _plausible_start(buf: Any, pos: int) -> bool:
    """Whether a data set (or file meta group) without a preamble starts at ``pos``."""
    if len(buf) < pos + 8:
        return False
    group, number = _TAG.unpack_from(buf, pos)
    if group not in (0x0002, 0x0008) or number > 0x0100:
        return False
    if _looks_explicit(buf, pos):
        return True
    length: int = _U32.unpack_from(buf, pos + 4)[0]
    return length < min(len(buf), 1024)


def _meta_text(buf: Any, element: Element | None) -> str:
    if element is None:
        return ""
    raw = bytes(buf[element.value_start : element.value_end])
    return raw.decode("ascii", "replace").strip("\0 ")


def looks_like_dicom(head: bytes) -> bool:
    """Whether the first bytes of a file (at least 132 if available) look like DICOM."""
    return (len(head) >= 132 and head[128:132] == b"DICM") or _plausible_start(head, 0)


def parse(buf: Any) -> ParsedFile:
    """Return the structure of the DICOM file in ``buf``.

    Raises
    ------
    NotDicomError
        Neither a preamble with ``DICM`` nor a plausible data set start.
    DatasetError
        The file is DICOM but truncated or malformed.
    """
    if len(buf) >= 132 and bytes(buf[128:132]) == b"DICM":
        preamble: bytes | None = bytes(buf[:128])
        pos = 132
    elif _plausible_start(buf, 0):
        preamble, pos = None, 0
    else:
        raise NotDicomError("no DICM marker after a 128-byte preamble and no DICOM element")
    meta: list[Element] = []
    walk = COMPILED_WALK[0]
    if walk is not None and _looks_explicit(buf, pos):  # plain elements of group 0002 in C
        meta, pos = walk(buf, pos, len(buf), _VR_CODES, Element, 0x0002)
    while len(buf) >= pos + 6 and _TAG.unpack_from(buf, pos)[0] == 0x0002:
        element = _element_at(buf, pos, implicit=not _looks_explicit(buf, pos))
        meta.append(element)
        pos = element.end
    syntax = _meta_text(buf, next((e for e in meta if e.tag == 0x00020010), None))
    if syntax in (EXPLICIT_VR_BIG_ENDIAN, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN):
        return ParsedFile(preamble, tuple(meta), syntax, False, (), walkable=False, by_tag={})
    if pos < len(buf) and not _plausible_dataset(buf, pos):
        raise DatasetError(f"no data element where the data set should start (byte {pos})")
    implicit = pos < len(buf) and not _looks_explicit(buf, pos)
    if not syntax:
        syntax = IMPLICIT_VR_LITTLE_ENDIAN if implicit else EXPLICIT_VR_LITTLE_ENDIAN
    if not implicit and COMPILED_WALK[0] is not None:
        records, stopped = _scan.index_explicit(buf, pos, len(buf), _VR_CODES)
        if stopped >= len(buf):  # nearly always: every element read in C, kept as records
            return ParsedFile(preamble, tuple(meta), syntax, False, records=records)
    by_tag: dict[int, Element] = {}
    elements = _top_level(buf, pos, implicit, by_tag)
    return ParsedFile(preamble, tuple(meta), syntax, implicit, elements, True, by_tag)


def _top_level(
    buf: Any, pos: int, implicit: bool, by_tag: dict[int, Element]
) -> tuple[Element, ...]:
    """The top-level elements from ``pos`` on, each also put in ``by_tag`` (first wins).

    The compiled walk goes first, the generator reads the rest.
    """
    walk = None if implicit else COMPILED_WALK[0]
    found: list[Element] = []
    stopped = pos
    if walk is not None:
        found, stopped = walk(buf, pos, len(buf), _VR_CODES, Element, -1, by_tag)
    if stopped < len(buf):
        rest = list(iter_elements(buf, stopped, implicit=implicit))
        for element in rest:
            by_tag.setdefault(element.tag, element)
        found.extend(rest)
    return tuple(found)


def _plausible_dataset(buf: Any, pos: int) -> bool:
    if len(buf) < pos + 8:
        return not any(bytes(buf[pos:]))
    group = _TAG.unpack_from(buf, pos)[0]
    return group not in (0x0000, 0xFFFF) and group != 0x0800  # 0x0800: big endian
