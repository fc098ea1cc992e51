"""Small synthetic Elscint files in every layout the plugin must handle.

Each :class:`Variant` knows the image that went into the encoder, so tests
compare decoded pixels against the source, never against the decoder.  Files
are written with pydicom's low-level writer, which behaves the same in
pydicom 2.4 and 3.x.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info

import elscint_codec

PRIVATE_TS = "1.3.46.670589.33.1.4.1"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"
CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
SC_STORAGE = "1.2.840.10008.5.1.4.1.1.7"
PYDICOM_V2 = int(pydicom.__version__.split(".")[0]) < 3


@dataclass(frozen=True)
class Variant:
    """A dataset, what ``ds.pixel_array`` must return and what Pixel Data must hold.

    Attributes
    ----------
    name : str
        Test id.
    dataset : Dataset
        Fresh dataset (with file meta) holding the compressed stream.
    expected : numpy.ndarray
        ``ds.pixel_array`` with pydicom 3's default unused-bit correction.
    pixel_bytes : bytes
        Pixel Data after decompression: stored values in the declared layout.
    stream_tag : int
        Element that holds the stream.
    stream : bytes
        The stream as encoded (before any pad byte).
    raw : numpy.ndarray
        The stored values with the dtype pydicom uses, before the unused-bit
        correction (what pydicom 2 returns).
    """

    name: str
    dataset: Dataset
    expected: np.ndarray
    pixel_bytes: bytes
    stream_tag: int
    stream: bytes
    raw: np.ndarray

    @property
    def transfer_syntax(self) -> str:
        return str(self.dataset.file_meta.TransferSyntaxUID)


def grey_image(rows: int = 24, columns: int = 20, seed: int = 1) -> np.ndarray:
    """Return a 12-bit CT-like image: smooth ramps, flat runs and a few jumps."""
    rng = np.random.default_rng(seed)
    steps = rng.integers(-40, 41, size=rows * columns)
    steps[rng.random(steps.size) < 0.3] = 0  # runs of equal values
    steps[rng.random(steps.size) < 0.02] = 1500  # jumps that need absolute values
    values = (1000 + np.cumsum(steps)) % 4096
    return values.astype(np.uint16).reshape(rows, columns)


def rgb_image(rows: int = 18, columns: int = 22, seed: int = 2) -> np.ndarray:
    """Return an RGB image with grey regions (grey mode) and colour regions."""
    rng = np.random.default_rng(seed)
    grey = np.repeat(rng.integers(0, 256, size=(rows, columns, 1), dtype=np.uint8), 3, axis=2)
    colour = rng.integers(0, 256, size=(rows, columns, 3), dtype=np.uint8)
    image = grey.copy()
    image[rows // 2 :, columns // 3 :] = colour[rows // 2 :, columns // 3 :]
    image[: rows // 4, : columns // 4] = (200, 30, 40)  # a repeated colour
    return image


def delta_stream(values: np.ndarray) -> bytes:
    """Return a PMSCT_RLE1 stream written by hand: one absolute value, then deltas.

    Every difference must fit a signed byte other than 0x5A and 0xA5.
    """
    flat = values.astype(np.int64).reshape(-1)
    out = bytearray([0x5A, int(flat[0]) & 0xFF, int(flat[0]) >> 8])
    for delta in np.diff(flat):
        assert -50 <= delta <= 50
        out.append(int(delta) & 0xFF)
    return bytes(out)


def base_dataset(transfer_syntax: str, *, rgb: bool = False) -> Dataset:
    """Return a dataset with file meta, identity and UIDs but no image."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    sop_class = SC_STORAGE if rgb else CT_STORAGE
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.10.1234.1.1"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.10.1234.1.1"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.10.1234.2"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.10.1234.3"
    ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.10.1234.4"
    ds.PatientName = "PHANTOM^PLUGIN"
    ds.PatientID = "ELSCINT-TEST"
    ds.Modality = "OT" if rgb else "CT"
    return ds


def add_grey_pixel_module(ds: Dataset, image: np.ndarray, *, bits_stored: int, signed: bool):
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = image.shape
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = int(signed)
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"


def add_rgb_pixel_module(ds: Dataset, image: np.ndarray, *, planar: int) -> None:
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "RGB"
    ds.PlanarConfiguration = planar
    ds.Rows, ds.Columns = image.shape[:2]
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0


def add_elscint_block(
    ds: Dataset, stream: bytes | None, compression: str | None, *, block: int = 0x10
) -> int:
    """Add an ELSCINT1 block at ``block``; return the stream tag."""
    ds.add_new((0x07A1, block), "LO", "ELSCINT1")
    base = 0x07A10000 | (block << 8)
    ds.add_new(base | 0x10, "LO", "3.5")  # Tamar software version
    if stream is not None:
        ds.add_new(base | 0x0A, "OB", stream)
    if compression is not None:
        ds.add_new(base | 0x11, "CS", compression)
    return base | 0x0A


def file_bytes(ds: Dataset) -> bytes:
    """Return preamble, file meta and data set, encoded as the transfer syntax says.

    The private transfer syntax is written explicit VR little endian.
    """
    fp = DicomBytesIO()
    fp.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(fp, ds.file_meta, enforce_standard=True)
    fp.is_little_endian = True
    fp.is_implicit_VR = str(ds.file_meta.TransferSyntaxUID) == IMPLICIT_LE
    write_dataset(fp, ds)
    return bytes(fp.getvalue())


def write(ds: Dataset, path: Path) -> Path:
    path.write_bytes(file_bytes(ds))
    return path


def _grey(
    name: str,
    *,
    transfer_syntax: str = PRIVATE_TS,
    where: str = "private",
    block: int = 0x10,
    stream: bytes | None = None,
    image: np.ndarray | None = None,
    signed: bool = False,
    bits_stored: int = 12,
    other_vendor: bool = False,
    declare: bool = True,
) -> Variant:
    image = grey_image() if image is None else image
    stored = image.view(np.uint16)
    stream = elscint_codec.pmsct_rle1_encode(image) if stream is None else stream
    ds = base_dataset(transfer_syntax)
    add_grey_pixel_module(ds, image, bits_stored=bits_stored, signed=signed)
    if other_vendor:
        ds.add_new(0x07A10010, "LO", "OTHER VENDOR")
        ds.add_new(0x07A1100A, "OB", b"\x01\x02junk not a stream")
        ds.add_new(0x07A11011, "CS", "NOTME")
    compression = "PMSCT_RLE1" if declare else None
    if where == "private":
        tag = add_elscint_block(ds, stream, compression, block=block)
    else:
        if declare:
            add_elscint_block(ds, None, compression, block=block)
        ds.add_new(0x7FE00010, "OB", stream)
        tag = 0x7FE00010
    shift = 16 - bits_stored
    raw = stored.view(np.int16) if signed else stored
    expected = (raw << shift) >> shift
    return Variant(name, ds, expected, stored.astype("<u2").tobytes(), tag, stream, raw)


def _rgb(name: str, *, planar: int) -> Variant:
    image = rgb_image()
    ds = base_dataset(PRIVATE_TS, rgb=True)
    add_rgb_pixel_module(ds, image, planar=planar)
    stream = elscint_codec.pmsct_rgb1_encode(image)
    tag = add_elscint_block(ds, stream, "PMSCT_RGB1")
    layout = image.transpose(2, 0, 1) if planar else image
    return Variant(name, ds, image, np.ascontiguousarray(layout).tobytes(), tag, stream, image)


def _signed() -> Variant:
    rng = np.random.default_rng(3)
    image = np.clip(np.cumsum(rng.integers(-60, 61, size=(20, 16)), axis=1) - 1024, -2048, 2047)
    return _grey("signed-12-bit", image=image.astype(np.int16), signed=True)


def _high_bits() -> Variant:
    image = grey_image(seed=4)
    image[::3, ::5] |= 0xF000  # unused bits set: pydicom 3 clears them, Pixel Data keeps them
    return _grey("unused-high-bits", image=image)


def _raw_length() -> Variant:
    image = grey_image(seed=5)
    return _grey("raw-length", stream=image.astype("<u2").tobytes(), image=image)


def _odd_stream() -> Variant:
    rng = np.random.default_rng(6)
    image = (1000 + np.cumsum(rng.integers(-50, 51, size=5 * 7))).astype(np.uint16).reshape(5, 7)
    stream = delta_stream(image)
    assert len(stream) % 2 == 1  # the writer adds the 0x00 pad
    return _grey("odd-stream", stream=stream, image=image)


BUILDERS: dict[str, Callable[[], Variant]] = {
    "private-element": lambda: _grey("private-element"),
    "pixel-data": lambda: _grey("pixel-data", where="pixel", declare=False),
    "pixel-data-declared": lambda: _grey("pixel-data-declared", where="pixel"),
    "other-vendor-first": lambda: _grey("other-vendor-first", other_vendor=True, block=0x11),
    "creator-block-0x42": lambda: _grey("creator-block-0x42", block=0x42),
    "standard-ts": lambda: _grey("standard-ts", transfer_syntax=EXPLICIT_LE),
    "implicit-vr": lambda: _grey("implicit-vr", transfer_syntax=IMPLICIT_LE, block=0x20),
    "signed-12-bit": _signed,
    "unused-high-bits": _high_bits,
    "raw-length": _raw_length,
    "odd-stream": _odd_stream,
    "rgb-planar-0": lambda: _rgb("rgb-planar-0", planar=0),
    "rgb-planar-1": lambda: _rgb("rgb-planar-1", planar=1),
}
NAMES = tuple(BUILDERS)
STANDARD_TS_NAMES = ("standard-ts", "implicit-vr")


def build(name: str) -> Variant:
    """Return a fresh variant (new dataset objects every call)."""
    return BUILDERS[name]()


def truncated(length: int | None = None) -> Variant:
    """Return the private-element variant with its stream cut short (even length)."""
    image = grey_image(seed=7)
    full = elscint_codec.pmsct_rle1_encode(image)
    cut = full[: (len(full) // 2) & ~1] if length is None else full[:length]
    return _grey("truncated", stream=cut, image=image)
