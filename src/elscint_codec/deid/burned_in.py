"""Which images may carry burned-in identifying text (PS3.15 E.1.1 note 5).

The table of PS3.15 does not cover pixels, and this package does not clean pixel
data, so images that may show text are excluded unless the user asks to keep them:

- Burned In Annotation (0028,0301) is YES;
- Secondary Capture SOP classes (screen captures, e.g. the RGB1 fused views);
- Image Type (0008,0008) naming a screen shot;
- unless Burned In Annotation is explicitly NO: Image Type SECONDARY, and colour
  images (RGB/YBR, or a PMSCT_RGB1 compressed stream) from CT/PET, which on Philips
  Gemini systems are fused views and screen captures.
"""

from __future__ import annotations

from pydicom.dataset import Dataset

from elscint_codec.constants import COMPRESSION_TYPE_OFFSET, PMSCT_RGB1
from elscint_codec.deid.private import ELSCINT_CREATOR, ELSCINT_GROUP

__all__ = ["SECONDARY_CAPTURE_CLASSES", "burned_in_reason"]

SECONDARY_CAPTURE_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.7",
        "1.2.840.10008.5.1.4.1.1.7.1",
        "1.2.840.10008.5.1.4.1.1.7.2",
        "1.2.840.10008.5.1.4.1.1.7.3",
        "1.2.840.10008.5.1.4.1.1.7.4",
    }
)


def _compression_type(ds: Dataset) -> str:
    try:
        block = ds.private_block(ELSCINT_GROUP, ELSCINT_CREATOR)
        value = block[COMPRESSION_TYPE_OFFSET].value
    except (KeyError, ValueError):
        return ""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip(" \x00")


def burned_in_reason(ds: Dataset) -> str | None:
    """Return why ``ds`` may show burned-in text, or None.

    The reason names only attributes and standard values, never patient data.
    """
    annotation = str(ds.get("BurnedInAnnotation", "") or "").strip().upper()
    if annotation == "YES":
        return "burned-in annotation (Burned In Annotation is YES)"
    if str(ds.get("SOPClassUID", "")) in SECONDARY_CAPTURE_CLASSES:
        return "burned-in annotation possible (Secondary Capture image)"
    image_type = ds.get("ImageType")
    values = [str(v).strip().upper() for v in (image_type or [])] if image_type else []
    if isinstance(image_type, str):
        values = [image_type.strip().upper()]
    if any(v.replace(" ", "") == "SCREENSHOT" for v in values):
        return "burned-in annotation possible (Image Type SCREEN SHOT)"
    if annotation == "NO":
        return None
    if "SECONDARY" in values:
        return "burned-in annotation possible (Image Type SECONDARY, Burned In Annotation not NO)"
    photometric = str(ds.get("PhotometricInterpretation", "") or "").upper()
    samples = ds.get("SamplesPerPixel", 1)
    colour = photometric.startswith(("RGB", "YBR")) or samples == 3
    if colour or _compression_type(ds) == PMSCT_RGB1:
        return "burned-in annotation possible (colour view, Burned In Annotation not NO)"
    return None
