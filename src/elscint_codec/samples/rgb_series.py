"""A PMSCT_RGB1 fused PET/CT screen capture (Secondary Capture, RGB, burned-in text)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from elscint_codec.codec import pmsct_rgb1_encode
from elscint_codec.constants import PMSCT_RGB1
from elscint_codec.samples._common import (
    PRIVATE_TRANSFER_SYNTAX,
    TRAILING_PADDING,
    StreamLocation,
    add_image_pixel,
    attach_stream,
    check_options,
    image_dataset,
    item,
    sequence,
)
from elscint_codec.samples._identity import study_facts
from elscint_codec.samples._values import da, tm
from elscint_codec.samples.pet_series import PET_IMAGE_STORAGE
from elscint_codec.samples.rgb_phantom import fused_rgb_pixels

__all__ = ["SECONDARY_CAPTURE_STORAGE", "rgb_dataset"]

SECONDARY_CAPTURE_STORAGE = "1.2.840.10008.5.1.4.1.1.7"


def rgb_dataset(
    seed: int = 0,
    index: int = 0,
    *,
    pet_slices: int = 16,
    rows: int = 512,
    columns: int = 512,
    pixels: npt.ArrayLike | None = None,
    planar_configuration: int = 0,
    stream: bytes | None = None,
    stream_location: StreamLocation = "private",
    transfer_syntax: str = PRIVATE_TRANSFER_SYNTAX,
    private_block: int = 0x10,
    compression_type: str = PMSCT_RGB1,
    padding: int = TRAILING_PADDING,
) -> Dataset:
    """Return fused screen capture ``index`` of the sample study, PMSCT_RGB1 compressed.

    Parameters
    ----------
    seed, index : int
        Study seed and capture number (Instance Number ``index + 1``); capture ``i``
        shows PET slice ``(pet_slices // 2 + i) % pet_slices``.
    pet_slices : int
        Number of slices of the PET series the capture was made from.
    rows, columns : int
        Capture size (ignored when ``pixels`` is given).
    pixels : array_like, optional
        uint8 RGB pixels of shape (rows, columns, 3) to use instead of the phantom.
    planar_configuration : {0, 1}
        Value of (0028,0006); the stream itself is pixel by pixel either way.
    stream, stream_location, transfer_syntax, private_block, compression_type, padding
        As for :func:`ct_dataset`.
    """
    check_options(stream_location, transfer_syntax, private_block)
    if planar_configuration not in (0, 1):
        raise ValueError(f"planar_configuration must be 0 or 1, not {planar_configuration!r}")
    facts = study_facts(seed)
    shown = (pet_slices // 2 + index) % pet_slices
    if pixels is None:
        image = fused_rgb_pixels(seed, shown, rows, columns, slices=pet_slices)
    else:
        image = np.asarray(pixels)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(
                f"pixels must be uint8 of shape (rows, columns, 3), not {image.shape}"
            )
    rows, columns = image.shape[:2]
    created = facts.rgb_created + timedelta(seconds=index)
    ds = image_dataset(
        facts,
        SECONDARY_CAPTURE_STORAGE,
        "SC",
        index,
        transfer_syntax,
        image_type=["DERIVED", "SECONDARY", "SCREEN SHOT"],
        created=created,
    )
    ds.SeriesDate = da(created)
    ds.ContentDate = da(created)
    ds.SeriesTime = tm(facts.rgb_created)
    ds.ContentTime = tm(created)
    ds.Modality = "OT"
    ds.ConversionType = "WSD"
    ds.SeriesDescription = "PET/CT Fusion"
    ds.SecondaryCaptureDeviceManufacturer = "Philips"
    ds.SecondaryCaptureDeviceManufacturerModelName = "Extended Brilliance Workspace"
    ds.DerivationDescription = "Screen capture of a fused PET/CT view"
    ds.SourceImageSequence = sequence(
        item(
            ReferencedSOPClassUID=PET_IMAGE_STORAGE,
            ReferencedSOPInstanceUID=facts.sop_uid("PT", shown),
        )
    )
    ds.SeriesInstanceUID = facts.rgb_series_uid
    ds.SeriesNumber = "1001"
    ds.PatientOrientation = ["L", "P"]
    add_image_pixel(ds, rows, columns, bits_stored=8, rgb=True)
    ds.PlanarConfiguration = planar_configuration
    ds.BurnedInAnnotation = "YES"
    data = pmsct_rgb1_encode(image) if stream is None else bytes(stream)
    return attach_stream(
        ds, data, compression_type, location=stream_location, block=private_block, padding=padding
    )
