"""Read the few header values the converter needs from a scanned file.

Values are read straight from the element bytes found by
:mod:`elscint_codec.converter.scan`; nothing here re-encodes anything.  Text is
decoded with the file's Specific Character Set (through pydicom's charset
tables) so folder names built from it read naturally.
"""

from __future__ import annotations

import functools
import struct
import warnings
from typing import Any, NamedTuple

from elscint_codec.constants import (
    COMPRESSION_TYPE_OFFSET,
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
    PRIVATE_TRANSFER_SYNTAX,
    STREAM_OFFSET,
)
from elscint_codec.converter.scan import UNDEFINED, Element, ParsedFile
from elscint_codec.errors import DatasetError

__all__ = [
    "DICOMDIR_SOP_CLASS",
    "PRIVATE_TRANSFER_SYNTAX",
    "Header",
    "read_header",
]

DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10"
PIXEL_DATA = 0x7FE00010

_PN_DELIMITERS = {0x5E, 0x3D}
_ESC = 0x1B
#: Specific Character Set terms whose text (without escape sequences) is one plain
#: Python codec; the same codecs pydicom uses.  Other terms go through pydicom.
_SIMPLE_CHARSETS = {
    "": "iso8859",
    "ISO_IR 6": "iso8859",
    "ISO_IR 100": "latin_1",
    "ISO_IR 101": "iso8859_2",
    "ISO_IR 109": "iso8859_3",
    "ISO_IR 110": "iso8859_4",
    "ISO_IR 126": "iso_ir_126",
    "ISO_IR 127": "iso_ir_127",
    "ISO_IR 138": "iso_ir_138",
    "ISO_IR 144": "iso_ir_144",
    "ISO_IR 148": "iso_ir_148",
    "ISO_IR 166": "iso_ir_166",
    "ISO_IR 192": "UTF8",
    "GB18030": "GB18030",
    "GBK": "GBK",
}


class Header(NamedTuple):
    """What the converter needs to know about one file.

    Attributes
    ----------
    sop_class_uid, sop_instance_uid, study_uid, series_uid : str
        The identifying UIDs ('' when absent).
    modality, patient_name, patient_id, study_date, study_description,
    series_description : str
        Text values, decoded and stripped ('' when absent).
    series_number, instance_number : int or None
        Integer String values.
    rows, columns, samples, bits_allocated, bits_stored : int
        Image Pixel module values (0 when absent).
    pixel_representation, planar_configuration, frames : int
        0, 0 and 1 when absent.
    slice_position : float or None
        Position along the slice normal, for ordering a series.
    stream : Element or None
        The compressed Elscint stream (private element or Pixel Data).
    compression : str
        (07A1,xx11) Compression Type, '' when absent.
    removed : tuple of int
        Tags the standard file drops: the stream and the compression type.
    pixel_data : Element or None
        (7FE0,0010) of the input.
    elscint : bool
        The file holds an Elscint compressed stream.
    dicomdir : bool
        The file is a DICOMDIR (media directory).
    """

    sop_class_uid: str
    sop_instance_uid: str
    study_uid: str
    series_uid: str
    modality: str
    patient_name: str
    patient_id: str
    study_date: str
    study_description: str
    series_description: str
    series_number: int | None
    instance_number: int | None
    rows: int
    columns: int
    samples: int
    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    planar_configuration: int
    frames: int
    slice_position: float | None
    stream: Element | None
    compression: str
    removed: tuple[int, ...]
    pixel_data: Element | None
    elscint: bool
    dicomdir: bool


class _Reader:
    def __init__(self, buf: Any, parsed: ParsedFile) -> None:
        self.buf = buf
        self.by_tag = parsed.by_tag
        # Without code extensions only the first term matters; the common terms are
        # decoded here directly, anything else through pydicom's charset tables.
        self.charset = self.raw(0x00080005).decode("ascii", "replace")
        first = self.charset.split("\\")[0].strip(" \0")
        self.codec = _SIMPLE_CHARSETS.get(first)

    def raw(self, tag: int, element: Element | None = None) -> bytes:
        element = element or self.by_tag.get(tag)
        if element is None:
            return b""
        _, vr, _, start, length, end = element
        if length == UNDEFINED or vr == "SQ":
            return b""
        return bytes(self.buf[start:end])

    def ascii(self, tag: int, element: Element | None = None) -> str:
        return self.raw(tag, element).decode("ascii", "replace").strip("\0 ")

    def text(self, tag: int, *, person: bool = False) -> str:
        raw = self.raw(tag)
        if not raw:
            return ""
        if self.codec is not None and _ESC not in raw:
            # What pydicom does for a value without escape sequences (bad bytes replaced).
            try:
                text = raw.decode(self.codec)
            except UnicodeDecodeError:
                text = raw.decode(self.codec, "replace")
            return text.strip("\0 ")
        from pydicom.charset import decode_bytes

        try:
            with warnings.catch_warnings():  # bad bytes: replaced, no console noise
                warnings.simplefilter("ignore")
                encodings = list(_encodings(self.charset))
                text = decode_bytes(raw, encodings, _PN_DELIMITERS if person else set())
        except (LookupError, ValueError):
            text = raw.decode("latin-1")
        return text.strip("\0 ")

    def us(self, tag: int, default: int) -> int:
        raw = self.raw(tag)
        if len(raw) < 2:
            return default
        return int(struct.unpack_from("<H", raw)[0])

    def integer(self, tag: int) -> int | None:
        text = self.ascii(tag).split("\\")[0].strip()
        try:
            return int(text)
        except ValueError:
            try:
                return int(float(text))
            except ValueError:
                return None

    def decimals(self, tag: int) -> list[float]:
        try:
            return [float(part) for part in self.ascii(tag).split("\\") if part.strip()]
        except ValueError:
            return []


@functools.lru_cache(maxsize=64)
def _encodings(value: str) -> tuple[str, ...]:
    from pydicom.charset import convert_encodings

    terms = [term.strip(" \0") for term in value.split("\\")]
    try:
        with warnings.catch_warnings():  # unknown terms fall back to the default
            warnings.simplefilter("ignore")
            return tuple(convert_encodings(terms))
    except (LookupError, ValueError):
        return ("iso8859",)


def _slice_position(reader: _Reader) -> float | None:
    position = reader.decimals(0x00200032)
    orientation = reader.decimals(0x00200037)
    if len(position) == 3 and len(orientation) == 6:
        r, c = orientation[:3], orientation[3:]
        normal = (
            r[1] * c[2] - r[2] * c[1],
            r[2] * c[0] - r[0] * c[2],
            r[0] * c[1] - r[1] * c[0],
        )
        return sum(p * n for p, n in zip(position, normal, strict=True))
    if len(position) == 3:
        return position[2]
    return None


def _private_block(reader: _Reader) -> int | None:
    """Return the block byte reserved by creator ELSCINT1 in group 07A1, or None.

    The first creator element in tag order, (07A1,0010) to (07A1,00FF), wins.
    """
    group = PRIVATE_GROUP << 16
    for block in range(0x10, 0x100):
        element = reader.by_tag.get(group | block)
        if element is not None and reader.ascii(0, element) == PRIVATE_CREATOR:
            return block
    return None


def read_header(buf: Any, parsed: ParsedFile) -> Header:
    """Return the :class:`Header` of a scanned file.

    Raises
    ------
    DatasetError
        The Philips private transfer syntax without any compressed stream.
    """
    reader = _Reader(buf, parsed)
    sop_class = reader.ascii(0x00080016)
    if not sop_class:
        meta_class = parsed.find_meta(0x00020002)
        sop_class = reader.ascii(0, meta_class) if meta_class else ""
    pixel_data = parsed.find(PIXEL_DATA)
    block = _private_block(reader)
    stream: Element | None = None
    type_element: Element | None = None
    if block is not None:
        base = (PRIVATE_GROUP << 16) | (block << 8)
        stream = parsed.find(base | STREAM_OFFSET)
        type_element = parsed.find(base | COMPRESSION_TYPE_OFFSET)
    private_syntax = parsed.transfer_syntax == PRIVATE_TRANSFER_SYNTAX
    # Same rule as elscint_codec.dicom.is_elscint: the private transfer syntax,
    # or an ELSCINT1 stream and no Pixel Data under any other transfer syntax.
    elscint = private_syntax or (stream is not None and pixel_data is None)
    removed = [e.tag for e in (stream, type_element, pixel_data) if e is not None]
    if stream is not None and stream.length == 0:
        stream = None
    if elscint and stream is None:
        stream = pixel_data
    if elscint and stream is None:
        raise DatasetError(
            "the transfer syntax is the Philips private one (1.3.46.670589.33.1.4.1) but "
            "there is no compressed pixel stream: neither (07A1,xx0A) of creator "
            "'ELSCINT1' nor (7FE0,0010) Pixel Data"
        )
    compression = reader.ascii(0, type_element).upper() if type_element is not None else ""
    meta_class = parsed.find_meta(0x00020002)
    dicomdir = parsed.find(0x00041220) is not None or (
        meta_class is not None and reader.ascii(0, meta_class) == DICOMDIR_SOP_CLASS
    )
    return Header(
        sop_class_uid=sop_class,
        sop_instance_uid=reader.ascii(0x00080018),
        study_uid=reader.ascii(0x0020000D),
        series_uid=reader.ascii(0x0020000E),
        modality=reader.ascii(0x00080060).upper(),
        patient_name=reader.text(0x00100010, person=True),
        patient_id=reader.text(0x00100020),
        study_date=reader.ascii(0x00080020),
        study_description=reader.text(0x00081030),
        series_description=reader.text(0x0008103E),
        series_number=reader.integer(0x00200011),
        instance_number=reader.integer(0x00200013),
        rows=reader.us(0x00280010, 0),
        columns=reader.us(0x00280011, 0),
        samples=reader.us(0x00280002, 0),
        bits_allocated=reader.us(0x00280100, 0),
        bits_stored=reader.us(0x00280101, 0),
        pixel_representation=reader.us(0x00280103, 0),
        planar_configuration=reader.us(0x00280006, 0),
        frames=reader.integer(0x00280008) or 1,
        slice_position=_slice_position(reader),
        stream=stream if elscint else None,
        compression=compression if elscint else "",
        removed=tuple(sorted(removed)) if elscint else (),
        pixel_data=pixel_data,
        elscint=elscint,
        dicomdir=dicomdir,
    )
