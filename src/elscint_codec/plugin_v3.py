"""pydicom >= 3 integration: the private transfer syntax, ``ElscintDecoder`` and its plugin.

pydicom treats every registered private transfer syntax as encapsulated, so
:class:`ElscintDecoder` hands its base class a small proxy dataset whose Pixel
Data is the raw Elscint stream wrapped as one fragment; the decoding plugin
(:func:`_decode_frame`, label ``"elscint_codec"``) then receives exactly the
stream.  The proxy carries the Image Pixel values checked by
:func:`elscint_codec.dicom.image_info`, so pydicom's own processing (dtype from
Pixel Representation, unused-bit correction, reshaping) applies unchanged.

:func:`install` makes the changes and returns the callables that undo them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
from pydicom import uid as pydicom_uid
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixels.decoders import base as decoders_base
from pydicom.pixels.decoders.base import Decoder, DecodeRunner

from elscint_codec import dicom
from elscint_codec.constants import (
    COMPRESSION_TYPES,
    PMSCT_RGB1,
    PMSCT_RLE1,
    PRIVATE_TRANSFER_SYNTAX,
)
from elscint_codec.errors import UnsupportedError

__all__ = ["DECODER_DEPENDENCIES", "PLUGIN_LABEL", "ElscintDecoder", "install", "is_available"]

PLUGIN_LABEL = "elscint_codec"
TRANSFER_SYNTAX = pydicom_uid.UID(PRIVATE_TRANSFER_SYNTAX)
TRANSFER_SYNTAX.set_private_encoding(False, True)
DECODER_DEPENDENCIES = {TRANSFER_SYNTAX: ("numpy",)}

_ITEM_TAG = b"\xfe\xff\x00\xe0"
_METHODS = ("as_array", "as_buffer", "iter_array", "iter_buffer")
_NATIVE = (pydicom_uid.ExplicitVRLittleEndian, pydicom_uid.ImplicitVRLittleEndian)


def is_available(uid: str) -> bool:
    """Plugin protocol: the plugin decodes the Elscint private transfer syntax only."""
    return uid == PRIVATE_TRANSFER_SYNTAX


def _compression(runner: DecodeRunner) -> str:
    declared = runner.get_option("elscint_compression")
    if declared:
        return str(declared)
    layout = (runner.samples_per_pixel, runner.bits_allocated)
    for name, needed in COMPRESSION_TYPES.items():
        if needed == layout:
            return name
    raise UnsupportedError(
        f"{PRIVATE_TRANSFER_SYNTAX}: {layout[0]} sample(s) per pixel of {layout[1]} bits "
        "allocated is not an Elscint layout (PMSCT_RLE1 is 1 x 16 bits, PMSCT_RGB1 3 x 8 bits)"
    )


def _decode_frame(src: bytes, runner: DecodeRunner) -> bytearray:
    """Plugin protocol: decode one frame into little-endian, pixel-interleaved bytes."""
    compression = _compression(runner)
    where = runner.get_option("elscint_source") or f"{compression} pixel data"
    if runner.number_of_frames > 1:
        raise UnsupportedError(
            f"{where}: (0028,0008) Number of Frames is {runner.number_of_frames}; "
            "elscint_codec decodes single-frame Elscint images only"
        )
    rows, columns = runner.rows, runner.columns
    out: npt.NDArray[Any]
    if compression == PMSCT_RLE1:
        frame = bytearray(rows * columns * 2)
        out = np.frombuffer(frame, dtype=np.uint16).reshape(rows, columns)
    else:
        frame = bytearray(rows * columns * 3)
        out = np.frombuffer(frame, dtype=np.uint8).reshape(rows, columns, 3)
    dicom.decode_buffer(src, rows, columns, compression, where=where, out=out)
    if compression == PMSCT_RLE1 and sys.byteorder == "big":
        out.byteswap(inplace=True)
    return frame


def _encapsulated(stream: bytes, frame_bytes: int) -> bytes:
    """Wrap ``stream`` as one fragment whose total length cannot pass for native data.

    pydicom warns when encapsulated data is exactly as long as the uncompressed
    frame; with or without a basic offset table the lengths differ by 4 bytes.
    """
    data = encapsulate([stream], has_bot=False)
    if len(data) in (frame_bytes, frame_bytes + frame_bytes % 2):
        data = encapsulate([stream], has_bot=True)
    return data


def _proxy(info: dicom.ElscintImage, ds: Dataset, uid: pydicom_uid.UID) -> Dataset:
    """Return a new dataset holding only what pydicom needs to decode ``info``."""
    samples, bits = COMPRESSION_TYPES[info.compression]
    proxy = Dataset()
    proxy.file_meta = FileMetaDataset()
    proxy.file_meta.TransferSyntaxUID = uid
    proxy.Rows = info.rows
    proxy.Columns = info.columns
    proxy.SamplesPerPixel = samples
    proxy.PhotometricInterpretation = str(ds.PhotometricInterpretation)
    proxy.BitsAllocated = bits
    proxy.BitsStored = info.bits_stored
    proxy.HighBit = info.bits_stored - 1
    proxy.PixelRepresentation = info.pixel_representation
    if samples > 1:
        proxy.PlanarConfiguration = 0  # the plugin returns interleaved pixels
    frame_bytes = info.rows * info.columns * samples * bits // 8
    data = _encapsulated(info.stream, frame_bytes)
    proxy.add(DataElement(dicom.PIXEL_DATA, "OB", data, is_undefined_length=True))
    return proxy


def _frame_bytes(kwargs: dict[str, Any]) -> int:
    try:
        rows, columns = int(kwargs["rows"]), int(kwargs["columns"])
        samples, bits = int(kwargs["samples_per_pixel"]), int(kwargs["bits_allocated"])
    except (KeyError, TypeError, ValueError):
        return 0
    return rows * columns * samples * bits // 8


class ElscintDecoder(Decoder):
    """pydicom decoder for transfer syntax 1.3.46.670589.33.1.4.1.

    Accepts what every pydicom decoder accepts: a dataset (the stream is found
    in the ELSCINT1 private element or in (7FE0,0010)), the stream as bytes, or
    a binary file positioned at the start of the value; options are passed on.
    """

    def as_array(self, src: Any, **kwargs: Any) -> tuple[Any, dict[str, str | int]]:
        """Return the decoded image and its Image Pixel values; see pydicom's Decoder."""
        return super().as_array(self._prepare(src, kwargs), **kwargs)

    def as_buffer(self, src: Any, **kwargs: Any) -> tuple[Any, dict[str, str | int]]:
        """Return the decoded image as bytes and its Image Pixel values."""
        return super().as_buffer(self._prepare(src, kwargs), **kwargs)

    def iter_array(self, src: Any, **kwargs: Any) -> Iterator[tuple[Any, dict[str, str | int]]]:
        """Yield the decoded frame (there is one) with its Image Pixel values."""
        return super().iter_array(self._prepare(src, kwargs), **kwargs)

    def iter_buffer(self, src: Any, **kwargs: Any) -> Iterator[tuple[Any, dict[str, str | int]]]:
        """Yield the decoded frame as bytes with its Image Pixel values."""
        return super().iter_buffer(self._prepare(src, kwargs), **kwargs)

    def _prepare(self, src: Any, kwargs: dict[str, Any]) -> Any:
        """Return the source pydicom should decode, updating ``kwargs`` in place."""
        if isinstance(src, Dataset):
            info = dicom.image_info(src)
            kwargs["elscint_compression"] = info.compression
            kwargs["elscint_source"] = info.where
            if info.compression == PMSCT_RGB1:
                kwargs["planar_configuration"] = 0
            return _proxy(info, src, self.UID)
        if hasattr(src, "read"):
            return self._read_value(src, kwargs)
        data = bytes(src)
        if data[:4] == _ITEM_TAG:
            return src
        return _encapsulated(data, _frame_bytes(kwargs))

    @staticmethod
    def _read_value(src: BinaryIO, kwargs: dict[str, Any]) -> Any:
        """Read a raw stream from a file positioned at the start of the element value."""
        start = src.tell()
        if src.read(4) == _ITEM_TAG:
            src.seek(start)
            return src
        if start >= 4:
            src.seek(start - 4)
            data = src.read(int.from_bytes(src.read(4), "little"))
        else:
            src.seek(start)
            data = src.read()
        src.seek(start)
        return _encapsulated(data, _frame_bytes(kwargs))


def _uses_fallback(src: Any) -> bool:
    return isinstance(src, Dataset) and dicom.is_elscint(src)


def _fallback(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Wrap a native decoder's method: datasets with an ELSCINT1 stream and no
    Pixel Data go to the Elscint decoder, everything else to ``original``."""

    @functools.wraps(original)
    def method(*args: Any, **kwargs: Any) -> Any:
        src = args[0] if args else kwargs.get("src")
        if _uses_fallback(src):
            decoder = decoders_base.get_decoder(PRIVATE_TRANSFER_SYNTAX)
            return getattr(decoder, name)(*args, **kwargs)
        return original(*args, **kwargs)

    method._elscint_codec_fallback = True  # type: ignore[attr-defined]
    return method


def _install_transfer_syntax(undo: list[Callable[[], None]]) -> None:
    registered = pydicom_uid.PrivateTransferSyntaxes
    if PRIVATE_TRANSFER_SYNTAX in registered:
        return  # pydicom 3.1 raises on duplicates; the other registration is kept
    added = pydicom_uid.register_transfer_syntax(
        TRANSFER_SYNTAX, implicit_vr=False, little_endian=True
    )

    def remove() -> None:
        registered[:] = [uid for uid in registered if uid is not added]

    undo.append(remove)


def _install_decoder(undo: list[Callable[[], None]]) -> None:
    table = decoders_base._PIXEL_DATA_DECODERS
    entry = table.get(TRANSFER_SYNTAX)
    if entry is None:
        decoder = ElscintDecoder(TRANSFER_SYNTAX)
        decoder.add_plugin(PLUGIN_LABEL, (__name__, "_decode_frame"))
        table[TRANSFER_SYNTAX] = (decoder, "elscint_codec")

        def remove_decoder() -> None:
            if table.get(TRANSFER_SYNTAX, (None,))[0] is decoder:
                del table[TRANSFER_SYNTAX]

        undo.append(remove_decoder)
        return
    # Some other package (or a future pydicom) decodes this syntax: add our plugin to it.
    existing = entry[0]
    if PLUGIN_LABEL in existing._available or PLUGIN_LABEL in existing._unavailable:
        return
    existing.add_plugin(PLUGIN_LABEL, (__name__, "_decode_frame"))
    undo.append(functools.partial(existing.remove_plugin, PLUGIN_LABEL))


def _install_fallback(undo: list[Callable[[], None]]) -> None:
    for uid in _NATIVE:
        entry = decoders_base._PIXEL_DATA_DECODERS.get(uid)
        if entry is None:
            continue
        decoder = entry[0]
        for name in _METHODS:
            own = vars(decoder).get(name)
            wrapper = _fallback(getattr(decoder, name), name)
            setattr(decoder, name, wrapper)
            undo.append(functools.partial(_restore, decoder, name, wrapper, own))


def _restore(decoder: Decoder, name: str, wrapper: Any, own: Any) -> None:
    if vars(decoder).get(name) is not wrapper:
        return  # wrapped again by someone else: leave their chain alone
    if own is None:
        delattr(decoder, name)
    else:
        setattr(decoder, name, own)


def install() -> list[Callable[[], None]]:
    """Register the transfer syntax, the decoder and the native fallback.

    Returns
    -------
    list of callables
        Call them in reverse order to undo every change.
    """
    undo: list[Callable[[], None]] = []
    try:
        _install_transfer_syntax(undo)
        _install_decoder(undo)
        _install_fallback(undo)
    except BaseException:
        for step in reversed(undo):
            step()
        raise
    return undo
