"""Synthetic Philips GEMINI TF PET/CT studies, written the way the scanner writes them.

:func:`write_study` writes a whole study (CT, PET and a fused screen capture, all with
the private ELSCINT1 compression); the building blocks make single images, datasets and
files for tests, benchmarks and fuzz seeds. Everything is deterministic: the same seed
and package version give the same bytes. Patients are synthetic ("PHANTOM^...").
"""

from __future__ import annotations

from elscint_codec.samples._common import (
    ELSCINT_CREATOR,
    EXPLICIT_VR_LITTLE_ENDIAN,
    IMPLICIT_VR_LITTLE_ENDIAN,
    PRIVATE_TRANSFER_SYNTAX,
)
from elscint_codec.samples._identity import StudyFacts, derive_uid, study_facts, suvbw_factor
from elscint_codec.samples.ct_phantom import ct_hounsfield, ct_slice_pixels
from elscint_codec.samples.ct_series import ct_dataset
from elscint_codec.samples.pet_phantom import pet_slice_activity, pet_slice_pixels, quantize_pet
from elscint_codec.samples.pet_series import pet_dataset, philips_factors
from elscint_codec.samples.rgb_phantom import fused_rgb_pixels
from elscint_codec.samples.rgb_series import rgb_dataset
from elscint_codec.samples.study import write_study
from elscint_codec.samples.writer import dataset_bytes, write_dataset

__all__ = [
    "ELSCINT_CREATOR",
    "EXPLICIT_VR_LITTLE_ENDIAN",
    "IMPLICIT_VR_LITTLE_ENDIAN",
    "PRIVATE_TRANSFER_SYNTAX",
    "StudyFacts",
    "ct_dataset",
    "ct_hounsfield",
    "ct_slice_pixels",
    "dataset_bytes",
    "derive_uid",
    "fused_rgb_pixels",
    "pet_dataset",
    "pet_slice_activity",
    "pet_slice_pixels",
    "philips_factors",
    "quantize_pet",
    "rgb_dataset",
    "study_facts",
    "suvbw_factor",
    "write_dataset",
    "write_study",
]
