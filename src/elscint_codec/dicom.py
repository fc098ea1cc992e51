"""Dataset layer: find, check and decode the ELSCINT1 stream of a pydicom dataset.

Works with every supported pydicom (2.4 and 3.x) and needs no registration:

* :func:`find_stream` looks the stream up by private creator ``ELSCINT1`` in
  group 07A1 (any block), or takes (7FE0,0010) under the private transfer
  syntax;
* :func:`compression_type` reads (07A1,xx11) and checks it against the Image
  Pixel module;
* :func:`pixel_array` returns the image as pydicom 3 would show it;
* :func:`decompress` turns the dataset into the standard file described in
  ``docs/pydicom.md`` (Explicit VR Little Endian, decoded Pixel Data, every UID
  kept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag, Tag
from pydicom.uid import UID

from elscint_codec.codec import pmsct_rgb1_decode, pmsct_rle1_decode
from elscint_codec.constants import (
    COMPRESSION_TYPE_OFFSET,
    COMPRESSION_TYPES,
    PMSCT_RGB1,
    PMSCT_RLE1,
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
    PRIVATE_TRANSFER_SYNTAX,
    STREAM_OFFSET,
)
from elscint_codec.errors import DatasetError, DecodeError, TruncatedDataError, UnsupportedError

__all__ = [
    "ElscintImage",
    "compression_type",
    "decode_buffer",
    "decompress",
    "find_stream",
    "image_array",
    "image_info",
    "is_elscint",
    "pixel_array",
]

EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
PIXEL_DATA = 0x7FE00010
_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
_PYDICOM_MAJOR = int(pydicom.__version__.split(".")[0])


@dataclass(frozen=True)
class ElscintImage:
    """What :func:`image_info` found out about an Elscint-compressed dataset.

    Attributes
    ----------
    stream : bytes
        The stored stream, pad byte included.
    stream_tag : pydicom.tag.BaseTag
        The element that holds it: (07A1,xx0A) or (7FE0,0010).
    compression : str
        ``"PMSCT_RLE1"`` or ``"PMSCT_RGB1"``.
    rows, columns, bits_stored, pixel_representation, planar_configuration : int
        Image Pixel module values (Planar Configuration 0 when absent).
    where : str
        Names the file and element, for error messages.
    """

    stream: bytes
    stream_tag: BaseTag
    compression: str
    rows: int
    columns: int
    bits_stored: int
    pixel_representation: int
    planar_configuration: int
    where: str


def _tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _source(ds: Dataset) -> str:
    """Return the dataset's file name in quotes, or ``"dataset"``."""
    name = getattr(ds, "filename", None)
    if isinstance(name, (str, os.PathLike)):
        return f"file '{os.fspath(name)}'"
    return "dataset"


def _transfer_syntax(ds: Dataset) -> str | None:
    meta = getattr(ds, "file_meta", None)
    value = None if meta is None else meta.get("TransferSyntaxUID")
    return None if value is None else str(value)


def _has_pixel_data(ds: Dataset) -> bool:
    return any(keyword in ds for keyword in _PIXEL_KEYWORDS)


def _private_tags(ds: Dataset) -> tuple[BaseTag, BaseTag] | None:
    """Return the stream and compression-type tags of the ELSCINT1 block, if any."""
    try:
        block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR)
    except KeyError:
        return None
    return block.get_tag(STREAM_OFFSET), block.get_tag(COMPRESSION_TYPE_OFFSET)


def _private_stream_tag(ds: Dataset) -> BaseTag | None:
    tags = _private_tags(ds)
    return tags[0] if tags is not None and tags[0] in ds else None


def is_elscint(ds: Dataset) -> bool:
    """Return True if ``ds`` holds its image as an Elscint-compressed stream.

    That is the case under the private transfer syntax, and under any other
    transfer syntax when there is an ELSCINT1 stream but no Pixel Data.
    """
    if _transfer_syntax(ds) == PRIVATE_TRANSFER_SYNTAX:
        return True
    return not _has_pixel_data(ds) and _private_stream_tag(ds) is not None


def find_stream(ds: Dataset) -> tuple[bytes, BaseTag]:
    """Return the compressed stream of ``ds`` and the tag of the element holding it.

    The ELSCINT1 private element (07A1,xx0A) is looked up by its creator, in
    whichever block the creator reserved; when it is absent or empty and the
    transfer syntax is the private one, (7FE0,0010) holds the stream.

    Raises
    ------
    DatasetError
        No stream was found.
    UnsupportedError
        (7FE0,0010) is encapsulated (undefined length).
    """
    tag = _private_stream_tag(ds)
    if tag is not None:
        value = ds[tag].value
        if value:
            return bytes(value), tag
    if _transfer_syntax(ds) == PRIVATE_TRANSFER_SYNTAX and "PixelData" in ds:
        element = ds[PIXEL_DATA]
        if element.is_undefined_length:
            raise UnsupportedError(
                f"{_source(ds)}: (7FE0,0010) Pixel Data is encapsulated (undefined length); "
                "elscint_codec reads the Elscint stream only as a plain value"
            )
        return bytes(element.value), Tag(PIXEL_DATA)
    empty = " (it is empty)" if tag is not None else ""
    raise DatasetError(
        f"{_source(ds)}: no Elscint compressed stream: no element (07A1,xx0A) of private "
        f"creator '{PRIVATE_CREATOR}'{empty} and no (7FE0,0010) Pixel Data under transfer "
        f"syntax {PRIVATE_TRANSFER_SYNTAX} (transfer syntax is {_transfer_syntax(ds)})"
    )


def _required_int(ds: Dataset, keyword: str, tag: int) -> int:
    value = ds.get(keyword)
    if value is None or value == "":
        raise DatasetError(f"{_source(ds)}: missing required element {_tag_text(tag)} {keyword}")
    return int(value)


def _declared_type(ds: Dataset) -> str | None:
    tags = _private_tags(ds)
    if tags is None or tags[1] not in ds:
        return None
    value = ds[tags[1]].value
    if isinstance(value, (bytes, bytearray)):  # VR UN
        value = bytes(value).decode("ascii", "replace")
    return str(value).strip(" \x00") or None


def compression_type(ds: Dataset) -> str:
    """Return ``"PMSCT_RLE1"`` or ``"PMSCT_RGB1"`` for ``ds``.

    The type comes from (07A1,xx11) of creator ELSCINT1 when present, else from
    the Image Pixel module (1 sample of 16 bits: RLE1; 3 samples of 8 bits: RGB1).

    Raises
    ------
    DatasetError
        The type contradicts Samples per Pixel / Bits Allocated, or one is missing.
    UnsupportedError
        Unknown compression type, or no type and another bit depth.
    """
    declared = _declared_type(ds)
    samples = _required_int(ds, "SamplesPerPixel", 0x00280002)
    bits = _required_int(ds, "BitsAllocated", 0x00280100)
    if declared is None:
        for name, layout in COMPRESSION_TYPES.items():
            if layout == (samples, bits):
                return name
        raise UnsupportedError(
            f"{_source(ds)}: no ELSCINT1 compression type (07A1,xx11), and {samples} sample(s) "
            f"per pixel of {bits} bits allocated is not an Elscint layout (PMSCT_RLE1 is 1 x 16 "
            "bits, PMSCT_RGB1 is 3 x 8 bits)"
        )
    if declared not in COMPRESSION_TYPES:
        raise UnsupportedError(
            f"{_source(ds)}: ELSCINT1 compression type {declared!r} is not supported "
            f"(known: {', '.join(COMPRESSION_TYPES)})"
        )
    need_samples, need_bits = COMPRESSION_TYPES[declared]
    if (samples, bits) != (need_samples, need_bits):
        raise DatasetError(
            f"{_source(ds)}: ELSCINT1 compression type {declared} needs {need_samples} sample(s) "
            f"per pixel of {need_bits} bits, but (0028,0002) Samples per Pixel is {samples} "
            f"and (0028,0100) Bits Allocated is {bits}"
        )
    return declared


def image_info(ds: Dataset) -> ElscintImage:
    """Return the stream of ``ds`` and the Image Pixel values needed to decode it.

    Raises
    ------
    DatasetError
        Not an Elscint-compressed dataset, missing or contradictory elements.
    UnsupportedError
        Multi-frame images, unknown compression types, other bit depths.
    """
    source = _source(ds)
    if not is_elscint(ds):
        raise DatasetError(
            f"{source}: not an Elscint-compressed image: transfer syntax "
            f"{_transfer_syntax(ds)} with (7FE0,0010) Pixel Data present"
            if _has_pixel_data(ds)
            else f"{source}: not an Elscint-compressed image: no pixel data at all"
        )
    compression = compression_type(ds)
    frames = ds.get("NumberOfFrames")
    if frames not in (None, "") and int(frames) > 1:
        raise UnsupportedError(
            f"{source}: (0028,0008) Number of Frames is {int(frames)}; elscint_codec decodes "
            "single-frame Elscint images only"
        )
    rows = _required_int(ds, "Rows", 0x00280010)
    columns = _required_int(ds, "Columns", 0x00280011)
    bits_allocated = COMPRESSION_TYPES[compression][1]
    bits_stored = _required_int(ds, "BitsStored", 0x00280101)
    representation = _required_int(ds, "PixelRepresentation", 0x00280103)
    photometric = str(ds.get("PhotometricInterpretation", "")).strip()
    if rows < 1 or columns < 1:
        raise DatasetError(f"{source}: image size {rows} x {columns} is empty")
    if not 1 <= bits_stored <= bits_allocated:
        raise DatasetError(
            f"{source}: (0028,0101) Bits Stored {bits_stored} does not fit in "
            f"(0028,0100) Bits Allocated {bits_allocated}"
        )
    if representation not in (0, 1) or (compression == PMSCT_RGB1 and representation):
        raise DatasetError(
            f"{source}: (0028,0103) Pixel Representation {representation} is not valid "
            f"for {compression}"
        )
    allowed = ("RGB",) if compression == PMSCT_RGB1 else ("MONOCHROME1", "MONOCHROME2")
    if photometric not in allowed:
        raise DatasetError(
            f"{source}: (0028,0004) Photometric Interpretation {photometric!r} does not fit "
            f"{compression} (expected {' or '.join(allowed)})"
        )
    stream, tag = find_stream(ds)
    planar = ds.get("PlanarConfiguration") if compression == PMSCT_RGB1 else None
    return ElscintImage(
        stream=stream,
        stream_tag=tag,
        compression=compression,
        rows=rows,
        columns=columns,
        bits_stored=bits_stored,
        pixel_representation=representation,
        planar_configuration=int(planar or 0),
        where=f"{source}, element {_tag_text(tag)} ({len(stream)}-byte {compression} stream)",
    )


def decode_buffer(
    stream: Any,
    rows: int,
    columns: int,
    compression: str,
    *,
    where: str = "stream",
    out: npt.NDArray[Any] | None = None,
) -> npt.NDArray[Any]:
    """Decode ``stream``; errors name ``where`` so that they stand on their own.

    Returns ``uint16`` of shape (rows, columns) for PMSCT_RLE1 and ``uint8`` of
    shape (rows, columns, 3), pixel-interleaved, for PMSCT_RGB1.
    """
    try:
        if compression == PMSCT_RLE1:
            return pmsct_rle1_decode(stream, rows, columns, out=out)
        if compression == PMSCT_RGB1:
            return pmsct_rgb1_decode(stream, rows, columns, out=out)
    except TruncatedDataError as exc:
        raise TruncatedDataError(f"{where}: {exc}", exc.offset, exc.expected, exc.got) from exc
    except DecodeError as exc:
        raise DecodeError(f"{where}: {exc}", exc.offset) from exc
    raise UnsupportedError(f"{where}: compression type {compression!r} is not supported")


def _stored_values(info: ElscintImage) -> npt.NDArray[Any]:
    return decode_buffer(info.stream, info.rows, info.columns, info.compression, where=info.where)


def pixel_array(
    src: str | os.PathLike[str] | IO[bytes] | Dataset, *, correct_unused_bits: bool = True
) -> npt.NDArray[Any]:
    """Return the image of an Elscint file or dataset, without any registration.

    Parameters
    ----------
    src : str, os.PathLike, file-like or pydicom.dataset.Dataset
        A path or binary file to read with :func:`pydicom.dcmread`, or a dataset.
    correct_unused_bits : bool, optional
        As in pydicom 3 (default True): bits above Bits Stored are cleared, or
        set from the sign bit when Pixel Representation is 1.

    Returns
    -------
    numpy.ndarray
        PMSCT_RLE1: ``uint16`` (``int16`` when Pixel Representation is 1) of
        shape (rows, columns). PMSCT_RGB1: ``uint8`` of shape (rows, columns, 3),
        whatever the Planar Configuration.
    """
    ds = src if isinstance(src, Dataset) else pydicom.dcmread(src)
    return image_array(image_info(ds), correct_unused_bits=correct_unused_bits)


def image_array(info: ElscintImage, *, correct_unused_bits: bool = True) -> npt.NDArray[Any]:
    """Return the decoded image described by ``info``; see :func:`pixel_array`."""
    array = _stored_values(info)
    if info.compression != PMSCT_RLE1:
        return array
    if info.pixel_representation:
        array = array.view(np.int16)
    shift = 16 - info.bits_stored
    if correct_unused_bits and shift:
        np.left_shift(array, shift, out=array)
        np.right_shift(array, shift, out=array)
    return array


def _pixel_bytes(info: ElscintImage, array: npt.NDArray[Any]) -> bytes:
    if info.compression == PMSCT_RLE1:
        return array.astype("<u2", copy=False).tobytes()
    if info.planar_configuration == 1:
        return np.ascontiguousarray(array.transpose(2, 0, 1)).tobytes()
    return array.tobytes()


def decompress(ds: Dataset) -> Dataset:
    """Turn ``ds`` in place into a standard Explicit VR Little Endian dataset.

    Pixel Data (VR OW for PMSCT_RLE1, OB for PMSCT_RGB1) receives the decoded
    stored values in the layout Planar Configuration declares; the ELSCINT1
    stream and compression-type elements are removed; every other element and
    every UID stay unchanged (file meta Media Storage SOP Instance UID is set
    equal to SOP Instance UID).

    Returns
    -------
    pydicom.dataset.Dataset
        ``ds`` itself.
    """
    info = image_info(ds)
    data = _pixel_bytes(info, _stored_values(info))
    tags = _private_tags(ds)
    for tag in tags or ():
        if tag in ds:
            del ds[tag]
    if PIXEL_DATA in ds:
        del ds[PIXEL_DATA]
    ds.add(DataElement(PIXEL_DATA, "OW" if info.compression == PMSCT_RLE1 else "OB", data))
    _set_file_meta(ds)
    if _PYDICOM_MAJOR < 3:
        ds.is_implicit_VR = False
        ds.is_little_endian = True
    ds._pixel_array = None
    ds._pixel_id = {}
    return ds


def _set_file_meta(ds: Dataset) -> None:
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        meta = FileMetaDataset()
        ds.file_meta = meta
    meta.TransferSyntaxUID = UID(EXPLICIT_VR_LITTLE_ENDIAN)
    for keyword in ("SOPClassUID", "SOPInstanceUID"):
        if keyword in ds:
            setattr(meta, f"MediaStorage{keyword}", ds[keyword].value)
