"""Re-encode Implicit VR Little Endian elements as Explicit VR Little Endian.

Only element headers change: every value keeps its bytes.  The VR comes from
the DICOM dictionary (pydicom's public and private dictionaries, private
tags looked up by their creator), else ``UN``.  Sequences are re-encoded item
by item; defined lengths are recomputed, undefined lengths stay undefined.
"""

import struct
from collections.abc import Iterable
from typing import Any, NamedTuple

from elscint_codec.converter.scan import (
    ITEM,
    ITEM_END,
    LONG_VRS,
    UNDEFINED,
    VALID_VRS,
    Element,
    iter_elements,
    tag_text,
)
from elscint_codec.errors import DatasetError

__all__ = ["VrRules", "element_header", "transcode"]

_PIXEL_DATA = 0x7FE00010
_ITEM_HEADER = struct.Struct("<HHI")
_MAX_DEPTH = 64


def element_header(tag: int, vr: str, length: int) -> bytes:
    """Return the Explicit VR Little Endian header of an element."""
    group, number = tag >> 16, tag & 0xFFFF
    if vr in LONG_VRS:
        return struct.pack("<HH2s2xI", group, number, vr.encode("ascii"), length)
    return struct.pack("<HH2sH", group, number, vr.encode("ascii"), length)


class VrRules(NamedTuple):
    """Choose VRs for implicit-VR elements.

    Parameters
    ----------
    pixel_representation : int
        (0028,0103), resolves ``US or SS``.
    bits_allocated : int
        (0028,0100), resolves ``OB or OW`` for Pixel Data.
    """

    pixel_representation: int = 0
    bits_allocated: int = 16

    def vr(self, tag: int, creator: str | None) -> str:
        """Return the VR for ``tag`` (private tags need their ``creator``)."""
        from pydicom import datadict

        group, number = tag >> 16, tag & 0xFFFF
        if number == 0:
            return "UL"
        try:
            if group & 1:
                if number < 0x10:
                    return "UN"
                if number <= 0xFF:
                    return "LO"
                if creator is None:
                    return "UN"
                found = datadict.private_dictionary_VR(tag, creator)
            else:
                found = datadict.dictionary_VR(tag)
        except KeyError:
            return "UN"
        return self._resolve(tag, found)

    def _resolve(self, tag: int, found: str) -> str:
        options = [part.strip() for part in found.split(" or ")]
        if len(options) == 1:
            return found if found in VALID_VRS else "UN"
        if tag == _PIXEL_DATA:
            return "OB" if self.bits_allocated <= 8 else "OW"
        if "OW" in options:
            return "OW"
        if "SS" in options and "US" in options:
            return "SS" if self.pixel_representation == 1 else "US"
        return options[0] if options[0] in VALID_VRS else "UN"


class _Transcoder:
    def __init__(self, buf: Any, rules: VrRules) -> None:
        self.buf = buf
        self.rules = rules

    def elements(self, elements: Iterable[Element], depth: int) -> list[tuple[int, bytes]]:
        if depth > _MAX_DEPTH:
            raise DatasetError(f"sequences nested more than {_MAX_DEPTH} deep")
        creators: dict[tuple[int, int], str] = {}
        # In order: a private creator must be seen before the elements of its block.
        return [(element.tag, self.element(element, creators, depth)) for element in elements]

    def element(self, element: Element, creators: dict[tuple[int, int], str], depth: int) -> bytes:
        tag = element.tag
        group, number = tag >> 16, tag & 0xFFFF
        value = bytes(self.buf[element.value_start : element.value_end])
        if group & 1 and 0x10 <= number <= 0xFF:
            creators[(group, number)] = value.decode("latin-1").strip("\0 ")
        vr = self.rules.vr(tag, creators.get((group, number >> 8)))
        if element.length == UNDEFINED:
            if tag == _PIXEL_DATA:  # encapsulated: items look the same in both encodings
                raw = bytes(self.buf[element.value_start : element.end])
                return element_header(tag, "OB", UNDEFINED) + raw
            vr = "SQ"
        if vr == "SQ":
            items = self.items(element, depth)
            if element.length == UNDEFINED:
                end = _ITEM_HEADER.pack(0xFFFE, 0xE0DD, 0)
                return element_header(tag, "SQ", UNDEFINED) + items + end
            return element_header(tag, "SQ", len(items)) + items
        if vr not in LONG_VRS and len(value) > 0xFFFF:
            vr = "UN"
        return element_header(tag, vr, len(value)) + value

    def items(self, sequence: Element, depth: int) -> bytes:
        pieces: list[bytes] = []
        pos, stop = sequence.value_start, sequence.value_end
        while pos < stop:
            group, number, length = _ITEM_HEADER.unpack_from(self.buf, pos)
            if (group << 16) | number != ITEM:
                raise DatasetError(
                    f"sequence {tag_text(sequence.tag)} holds {tag_text((group << 16) | number)} "
                    f"at byte {pos} where an item should be"
                )
            if length != UNDEFINED:
                inner = iter_elements(self.buf, pos + 8, pos + 8 + length, implicit=True)
                body = b"".join(b for _, b in self.elements(inner, depth + 1))
                pieces.append(_ITEM_HEADER.pack(0xFFFE, 0xE000, len(body)) + body)
                pos += 8 + length
                continue
            members: list[Element] = []
            inner_pos = pos + 8
            for element in iter_elements(self.buf, inner_pos, stop, implicit=True):
                if element.tag == ITEM_END:
                    inner_pos = element.end
                    break
                members.append(element)
            else:
                raise DatasetError(f"an item of {tag_text(sequence.tag)} has no item delimiter")
            body = b"".join(b for _, b in self.elements(members, depth + 1))
            pieces.append(
                _ITEM_HEADER.pack(0xFFFE, 0xE000, UNDEFINED)
                + body
                + _ITEM_HEADER.pack(0xFFFE, 0xE00D, 0)
            )
            pos = inner_pos
        return b"".join(pieces)


def transcode(buf: Any, elements: Iterable[Element], rules: VrRules) -> list[tuple[int, bytes]]:
    """Return ``(tag, explicit VR encoding)`` for each implicit-VR element.

    Raises
    ------
    DatasetError
        A sequence is malformed.
    """
    return _Transcoder(buf, rules).elements(elements, 0)
