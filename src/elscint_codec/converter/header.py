"""Read the few header values the converter needs from a scanned file.

Values are read straight from the element bytes found by
:mod:`elscint_codec.converter.scan`; nothing here re-encodes anything.  Text is
decoded with the file's Specific Character Set (through pydicom's charset
tables) so folder names built from it read naturally.
"""

import functools
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


def _value(buf: Any, element: Element | None) -> bytes:
    """The value bytes of one element (``b""`` for none, a sequence, undefined length)."""
    if element is None:
        return b""
    _, vr, _, start, length, end = element
    if length == UNDEFINED or vr == "SQ":
        return b""
    return bytes(buf[start:end])


def _ascii(raw: bytes) -> str:
    return raw.decode("ascii", "replace").strip("\0 ")


def _us(raw: bytes, default: int) -> int:
    if len(raw) < 2:
        return default
    return raw[0] | raw[1] << 8


def _integer(raw: bytes) -> int | None:
    text = _ascii(raw).split("\\")[0].strip()
    if not text:
        return None  # the common case of an absent value, without two exceptions
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            return None


def _decimals(raw: bytes) -> list[float]:
    try:
        return [float(part) for part in _ascii(raw).split("\\") if part.strip()]
    except ValueError:
        return []


class _Text:
    """Decodes text values with the file's Specific Character Set."""

    def __init__(self, charset: bytes) -> None:
        # Without code extensions only the first term matters; the common terms are
        # decoded here directly, anything else through pydicom's charset tables.
        self.charset = charset.decode("ascii", "replace")
        first = self.charset.split("\\")[0].strip(" \0")
        self.codec = _SIMPLE_CHARSETS.get(first)

    def __call__(self, raw: bytes, *, person: bool = False) -> str:
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


def _slice_position(position_raw: bytes, orientation_raw: bytes) -> float | None:
    position = _decimals(position_raw)
    orientation = _decimals(orientation_raw)
    if len(position) == 3 and len(orientation) == 6:
        x, y, z = position
        r0, r1, r2, c0, c1, c2 = orientation
        # The position along the normal (row direction x column direction).
        return x * (r1 * c2 - r2 * c1) + y * (r2 * c0 - r0 * c2) + z * (r0 * c1 - r1 * c0)
    if len(position) == 3:
        return position[2]
    return None


def _private_block(buf: Any, parsed: ParsedFile) -> int | None:
    """Return the block byte reserved by creator ELSCINT1 in group 07A1, or None.

    The first creator element in tag order, (07A1,0010) to (07A1,00FF), wins.
    """
    group = PRIVATE_GROUP << 16
    for tag in sorted(set(parsed.tags_between(group | 0x10, group | 0xFF))):
        if _ascii(_value(buf, parsed.find(tag))) == PRIVATE_CREATOR:
            return tag & 0xFF
    return None


#: The values :func:`read_header` reads, fetched in one compiled call.
_HEADER_TAGS = (
    0x00080005,  # Specific Character Set
    0x00080016,  # SOP Class UID
    0x00080018,  # SOP Instance UID
    0x0020000D,  # Study Instance UID
    0x0020000E,  # Series Instance UID
    0x00080060,  # Modality
    0x00100010,  # Patient's Name
    0x00100020,  # Patient ID
    0x00080020,  # Study Date
    0x00081030,  # Study Description
    0x0008103E,  # Series Description
    0x00200011,  # Series Number
    0x00200013,  # Instance Number
    0x00280010,  # Rows
    0x00280011,  # Columns
    0x00280002,  # Samples per Pixel
    0x00280100,  # Bits Allocated
    0x00280101,  # Bits Stored
    0x00280103,  # Pixel Representation
    0x00280006,  # Planar Configuration
    0x00280008,  # Number of Frames
    0x00200032,  # Image Position (Patient)
    0x00200037,  # Image Orientation (Patient)
)


def read_header(buf: Any, parsed: ParsedFile) -> Header:
    """Return the :class:`Header` of a scanned file.

    Raises
    ------
    DatasetError
        The Philips private transfer syntax without any compressed stream.
    """
    (
        charset, sop_class_raw, sop_instance, study_uid, series_uid, modality, patient_name,
        patient_id, study_date, study_description, series_description, series_number,
        instance_number, rows, columns, samples, bits_allocated, bits_stored, representation,
        planar, frames, position, orientation,
    ) = parsed.values(buf, _HEADER_TAGS)  # fmt: skip
    text = _Text(charset)
    meta_class = _ascii(_value(buf, parsed.find_meta(0x00020002)))  # Media Storage SOP Class
    sop_class = _ascii(sop_class_raw) or meta_class
    pixel_data = parsed.find(PIXEL_DATA)
    block = _private_block(buf, parsed)
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
    compression = _ascii(_value(buf, type_element)).upper() if type_element is not None else ""
    dicomdir = parsed.find(0x00041220) is not None or meta_class == DICOMDIR_SOP_CLASS
    return Header(
        sop_class_uid=sop_class,
        sop_instance_uid=_ascii(sop_instance),
        study_uid=_ascii(study_uid),
        series_uid=_ascii(series_uid),
        modality=_ascii(modality).upper(),
        patient_name=text(patient_name, person=True),
        patient_id=text(patient_id),
        study_date=_ascii(study_date),
        study_description=text(study_description),
        series_description=text(series_description),
        series_number=_integer(series_number),
        instance_number=_integer(instance_number),
        rows=_us(rows, 0),
        columns=_us(columns, 0),
        samples=_us(samples, 0),
        bits_allocated=_us(bits_allocated, 0),
        bits_stored=_us(bits_stored, 0),
        pixel_representation=_us(representation, 0),
        planar_configuration=_us(planar, 0),
        frames=_integer(frames) or 1,
        slice_position=_slice_position(position, orientation),
        stream=stream if elscint else None,
        compression=compression if elscint else "",
        removed=tuple(sorted(removed)) if elscint else (),
        pixel_data=pixel_data,
        elscint=elscint,
        dicomdir=dicomdir,
    )
