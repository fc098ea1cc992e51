"""PET slices as a GEMINI TF writes them: 144 x 144 BQML with the Philips PET factors."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy.typing as npt
from pydicom.dataset import Dataset

from elscint_codec.codec import pmsct_rle1_encode
from elscint_codec.constants import PMSCT_RLE1
from elscint_codec.samples._common import (
    PRIVATE_TRANSFER_SYNTAX,
    TRAILING_PADDING,
    StreamLocation,
    add_image_pixel,
    add_image_plane,
    attach_stream,
    check_options,
    grey_pixels,
    image_dataset,
    item,
    sequence,
)
from elscint_codec.samples._elscint_private import add_pet_private_block
from elscint_codec.samples._geometry import PET_FOV_MM, PET_SLICE_MM, pet_depth
from elscint_codec.samples._identity import F18_HALF_LIFE_S, StudyFacts, study_facts, suvbw_factor
from elscint_codec.samples._values import da, dt, format_ds, tm
from elscint_codec.samples.pet_phantom import pet_slice_activity, quantize_pet

__all__ = [
    "BED_DURATION_S",
    "PET_IMAGE_STORAGE",
    "PHILIPS_PET_CREATOR",
    "SLICES_PER_BED",
    "pet_dataset",
    "pet_timing",
    "philips_factors",
]

PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
PHILIPS_PET_CREATOR = "Philips PET Private Group"
#: Slices between two bed positions, frame duration and table move of the acquisition.
SLICES_PER_BED = 23
BED_DURATION_S = 90
_TABLE_MOVE_S = 8


def pet_timing(facts: StudyFacts, index: int) -> tuple[timedelta, float, float]:
    """Return (acquisition start after the series start, Frame Reference Time in ms,
    Decay Factor) of slice ``index`` for decay correction START."""
    start = timedelta(seconds=(index // SLICES_PER_BED) * (BED_DURATION_S + _TABLE_MOVE_S))
    lam = math.log(2.0) / F18_HALF_LIFE_S
    lt = lam * BED_DURATION_S
    mean = math.log(lt / (1.0 - math.exp(-lt))) / lam  # decay-weighted mid-frame (s)
    reference_ms = (start.total_seconds() + mean) * 1000.0
    decay = math.exp(lam * start.total_seconds()) * lt / (1.0 - math.exp(-lt))
    return start, reference_ms, decay


def philips_factors(facts: StudyFacts) -> tuple[str, str]:
    """Return (7053,xx00) SUV Scale Factor and (7053,xx09) Activity Concentration Scale
    Factor as DS text: xx00 = xx09 x the SUVbw factor computed from the headers."""
    suv = suvbw_factor(facts.weight_kg, facts.dose_bq, facts.injection, facts.pet_start)
    return format_ds(facts.activity_scale * suv), format_ds(facts.activity_scale)


def pet_dataset(
    seed: int = 0,
    index: int = 0,
    *,
    slices: int = 16,
    rows: int = 144,
    columns: int = 144,
    pixels: npt.ArrayLike | None = None,
    stream: bytes | None = None,
    stream_location: StreamLocation = "private",
    transfer_syntax: str = PRIVATE_TRANSFER_SYNTAX,
    private_block: int = 0x10,
    compression_type: str = PMSCT_RLE1,
    padding: int = TRAILING_PADDING,
) -> Dataset:
    """Return PET slice ``index`` of the sample study as the scanner writes it.

    Units BQML decay-corrected to the series start, a per-slice Rescale Slope, an F-18
    FDG Radiopharmaceutical Information Sequence and the Philips PET private factors.
    The keyword options are those of :func:`ct_dataset`; with ``pixels`` given the
    Rescale Slope is 1.
    """
    check_options(stream_location, transfer_syntax, private_block)
    facts = study_facts(seed)
    if pixels is None:
        image, slope = quantize_pet(pet_slice_activity(seed, index, rows, columns, slices=slices))
    else:
        image, slope = grey_pixels(pixels), "1"
    rows, columns = image.shape
    z = -pet_depth(index, slices)
    offset, reference_ms, decay = pet_timing(facts, index)
    acquired = facts.pet_start + offset
    content = facts.pet_start + timedelta(seconds=600 + index // 4)
    ds = image_dataset(
        facts,
        PET_IMAGE_STORAGE,
        "PT",
        index,
        transfer_syntax,
        image_type=["ORIGINAL", "PRIMARY"],
        created=content,
    )
    ds.SeriesDate = da(facts.pet_start)
    ds.AcquisitionDate = da(acquired)
    ds.ContentDate = da(content)
    ds.SeriesTime = tm(facts.pet_start)
    ds.AcquisitionTime = tm(acquired)
    ds.ContentTime = tm(content)
    ds.Modality = "PT"
    ds.SeriesDescription = "WB CTAC"
    ds.SliceThickness = format_ds(PET_SLICE_MM)
    ds.ProtocolName = "WB PET/CT FDG"
    ds.ReconstructionDiameter = format_ds(PET_FOV_MM)
    ds.CollimatorType = "NONE"
    ds.ActualFrameDuration = str(BED_DURATION_S * 1000)
    ds.RadiopharmaceuticalInformationSequence = sequence(_radiopharmaceutical(facts))
    ds.SeriesInstanceUID = facts.pet_series_uid
    ds.SeriesNumber = "3"
    add_image_plane(ds, facts, rows, columns, fov_mm=PET_FOV_MM, z=z)
    add_image_pixel(ds, rows, columns, bits_stored=16)
    ds.RescaleIntercept = "0"
    ds.RescaleSlope = slope
    _add_pet_modules(ds, slices, index, reference_ms, decay)
    add_pet_private_block(ds)
    _add_philips_factors(ds, facts)
    data = pmsct_rle1_encode(image) if stream is None else bytes(stream)
    return attach_stream(
        ds, data, compression_type, location=stream_location, block=private_block, padding=padding
    )


def _radiopharmaceutical(facts: StudyFacts) -> Dataset:
    return item(
        Radiopharmaceutical="FDG -- fluorodeoxyglucose",
        RadiopharmaceuticalStartTime=tm(facts.injection),
        RadionuclideTotalDose=format_ds(facts.dose_bq),
        RadionuclideHalfLife=format_ds(F18_HALF_LIFE_S),
        RadionuclidePositronFraction="0.9673",
        RadiopharmaceuticalStartDateTime=dt(facts.injection),
        RadionuclideCodeSequence=sequence(
            item(CodeValue="C-111A1", CodingSchemeDesignator="SRT", CodeMeaning="^18^Fluorine")
        ),
        RadiopharmaceuticalCodeSequence=sequence(
            item(
                CodeValue="C-B1031",
                CodingSchemeDesignator="SRT",
                CodeMeaning="Fluorodeoxyglucose F^18^",
            )
        ),
    )


def _add_pet_modules(
    ds: Dataset, slices: int, index: int, reference_ms: float, decay: float
) -> None:
    """Add the PET Series and PET Image module elements."""
    ds.EnergyWindowRangeSequence = sequence(
        item(EnergyWindowLowerLimit="440", EnergyWindowUpperLimit="665")
    )
    ds.NumberOfSlices = slices
    ds.PatientOrientationCodeSequence = sequence(
        item(
            CodeValue="F-10450",
            CodingSchemeDesignator="SRT",
            CodeMeaning="recumbent",
            PatientOrientationModifierCodeSequence=sequence(
                item(CodeValue="F-10340", CodingSchemeDesignator="SRT", CodeMeaning="supine")
            ),
        )
    )
    ds.PatientGantryRelationshipCodeSequence = sequence(
        item(CodeValue="F-10470", CodingSchemeDesignator="SRT", CodeMeaning="headfirst")
    )
    ds.SeriesType = ["WHOLE BODY", "IMAGE"]
    ds.Units = "BQML"
    ds.CountsSource = "EMISSION"
    ds.RandomsCorrectionMethod = "DLYD"
    ds.AttenuationCorrectionMethod = "CTAC-SG"
    ds.DecayCorrection = "START"
    ds.ReconstructionMethod = "BLOB-OS-TF"
    ds.ScatterCorrectionMethod = "SS-SIMUL"
    ds.CorrectedImage = ["DECY", "ATTN", "SCAT", "DTIM", "RAN", "DCAL", "NORM"]
    ds.AxialAcceptance = "57"
    ds.FrameReferenceTime = format_ds(reference_ms)
    ds.DecayFactor = format_ds(decay)
    ds.DoseCalibrationFactor = "1"
    ds.ImageIndex = index + 1


def _add_philips_factors(ds: Dataset, facts: StudyFacts) -> None:
    block = ds.private_block(0x7053, PHILIPS_PET_CREATOR, create=True)
    suv, activity = philips_factors(facts)
    block.add_new(0x00, "DS", suv)
    block.add_new(0x09, "DS", activity)
