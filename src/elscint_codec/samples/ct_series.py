"""CT slices as a GEMINI TF writes them: 512 x 512, 12 bits stored, PMSCT_RLE1 stream."""

from __future__ import annotations

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
from elscint_codec.samples._elscint_private import add_ct_private_blocks
from elscint_codec.samples._geometry import CT_FOV_MM, CT_SLICE_MM, ct_depth
from elscint_codec.samples._identity import derive_uid, study_facts
from elscint_codec.samples._values import da, format_ds, tm
from elscint_codec.samples.ct_phantom import CT_INTERCEPT, ct_slice_pixels

__all__ = ["CT_IMAGE_STORAGE", "ct_dataset"]

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
_DESCRIPTION = "CT WB 3mm"


def ct_dataset(
    seed: int = 0,
    index: int = 0,
    *,
    slices: int = 16,
    rows: int = 512,
    columns: int = 512,
    pixels: npt.ArrayLike | None = None,
    stream: bytes | None = None,
    stream_location: StreamLocation = "private",
    transfer_syntax: str = PRIVATE_TRANSFER_SYNTAX,
    private_block: int = 0x10,
    compression_type: str = PMSCT_RLE1,
    padding: int = TRAILING_PADDING,
) -> Dataset:
    """Return CT slice ``index`` of the sample study as the scanner writes it.

    Parameters
    ----------
    seed : int
        Study seed (patient, UIDs, noise).
    index : int
        Slice number, 0 = most cranial; Instance Number is ``index + 1``.
    slices : int
        Number of slices of the series (fixes the z range).
    rows, columns : int
        Image size (ignored when ``pixels`` is given).
    pixels : array_like, optional
        uint16 stored values to use instead of the phantom.
    stream : bytes, optional
        Stream to store instead of encoding the pixels (e.g. a truncated one).
    stream_location : {'private', 'pixel_data'}
        (07A1,xx0A) as the scanner does, or (7FE0,0010).
    transfer_syntax : str
        File meta Transfer Syntax UID: the private one, or Explicit/Implicit VR Little
        Endian for files that carry a standard syntax and still hold the stream.
    private_block : int
        Element byte of the (07A1) ELSCINT1 creator (0x10 as written by the scanner).
    compression_type : str
        Value of (07A1,xx11).
    padding : int
        Length of the (FFFC,FFFC) trailing padding (0: none).

    Returns
    -------
    pydicom.dataset.Dataset
        With ``file_meta``; write it with :func:`write_dataset`.
    """
    check_options(stream_location, transfer_syntax, private_block)
    facts = study_facts(seed)
    if pixels is None:
        image = ct_slice_pixels(seed, index, rows, columns, slices=slices)
    else:
        image = grey_pixels(pixels)
    rows, columns = image.shape
    z = -ct_depth(index, slices)
    created = facts.ct_start + timedelta(seconds=20 + index // 8)
    content = facts.ct_start + timedelta(seconds=16, milliseconds=37 * index + 701)
    ds = image_dataset(
        facts,
        CT_IMAGE_STORAGE,
        "CT",
        index,
        transfer_syntax,
        image_type=["ORIGINAL", "PRIMARY", "AXIAL"],
        created=created,
    )
    ds.AcquisitionDate = da(facts.ct_start)
    ds.ContentDate = da(content)
    ds.AcquisitionTime = tm(facts.ct_start)
    ds.ContentTime = tm(content, milliseconds=True)
    ds.Modality = "CT"
    ds.SeriesDescription = _DESCRIPTION
    ds.ReferencedStudySequence = sequence(
        item(
            ReferencedSOPClassUID="1.2.840.10008.3.1.2.3.1",
            ReferencedSOPInstanceUID=facts.study_uid,
        )
    )
    ds.ReferencedPerformedProcedureStepSequence = sequence(
        item(
            ReferencedSOPClassUID="1.2.840.10008.3.1.2.3.3",
            ReferencedSOPInstanceUID=derive_uid(seed, "mpps"),
        )
    )
    ds.ReferencedPatientSequence = sequence(
        item(ReferencedSOPClassUID="", ReferencedSOPInstanceUID="")
    )
    ds.ReferencedImageSequence = sequence(
        item(
            ReferencedSOPClassUID=CT_IMAGE_STORAGE,
            ReferencedSOPInstanceUID=derive_uid(seed, "surview"),
        )
    )
    ds.add_new(0x00101000, "LO", "")  # Other Patient IDs (retired), empty as on the scanner
    ds.MedicalAlerts = ""
    ds.Allergies = ""
    ds.EthnicGroup = ""
    ds.AdditionalPatientHistory = ""
    ds.add_new(0x001021C0, "US", None)  # Pregnancy Status, empty
    ds.PatientComments = ""
    _add_acquisition(ds, facts.sex)
    ds.SeriesInstanceUID = facts.ct_series_uid
    ds.SeriesNumber = "2"
    ds.AcquisitionNumber = None
    add_image_plane(ds, facts, rows, columns, fov_mm=CT_FOV_MM, z=z)
    ds.ImageComments = _DESCRIPTION
    add_image_pixel(ds, rows, columns, bits_stored=12)
    ds.WindowCenter = ["40", "40"]
    ds.WindowWidth = ["400", "400"]
    ds.RescaleIntercept = str(CT_INTERCEPT)
    ds.RescaleSlope = "1"
    _add_request(ds, facts.patient_id, facts.study_id)
    add_ct_private_blocks(ds, seed, index, _DESCRIPTION)
    data = pmsct_rle1_encode(image) if stream is None else bytes(stream)
    return attach_stream(
        ds, data, compression_type, location=stream_location, block=private_block, padding=padding
    )


def _add_acquisition(ds: Dataset, sex: str) -> None:
    """Add the CT acquisition and exposure elements of a low-dose attenuation CT."""
    ds.ScanOptions = "HELIX"
    ds.SliceThickness = format_ds(CT_SLICE_MM)
    ds.KVP = "120"
    ds.DataCollectionDiameter = "500"
    ds.ProtocolName = "WB PET/CT FDG"
    ds.ReconstructionDiameter = format_ds(CT_FOV_MM)
    ds.GantryDetectorTilt = "0"
    ds.TableHeight = "185"
    ds.RotationDirection = "CW"
    ds.ScanArc = "360"
    ds.ExposureTime = "500"
    current = 60 if sex == "F" else 80
    ds.XRayTubeCurrent = str(current)
    ds.Exposure = str(current // 2)
    ds.FilterType = "B"
    ds.ConvolutionKernel = "B"
    ds.PatientPosition = "HFS"
    ctdi = 2.9 if sex == "F" else 3.8
    ds.CTExposureSequence = sequence(
        item(
            EstimatedDoseSaving=0.0,
            ExposureTimeInms=500.0,
            XRayTubeCurrentInmA=float(current),
            ExposureInmAs=float(current // 2),
            CTDIvol=ctdi,
        )
    )
    ds.ExposureModulationType = ""
    ds.CTDIvol = ctdi


def _add_request(ds: Dataset, patient_id: str, study_id: str) -> None:
    """Add the request elements, mostly empty as in the reference slice."""
    ds.RequestingPhysician = "SAMPLE^REFERRER"
    ds.RequestingService = ""
    ds.RequestedProcedureDescription = "PET/CT WB FDG"
    ds.RequestedContrastAgent = ""
    ds.AdmissionID = patient_id
    ds.SpecialNeeds = ""
    ds.PatientState = ""
    ds.PreMedication = ""
    ds.PerformedProcedureStepID = study_id + "44"
    ds.RequestAttributesSequence = sequence(
        item(
            ScheduledProcedureStepDescription="",
            ScheduledProtocolCodeSequence=sequence(
                item(CodeValue="", CodingSchemeDesignator="", CodeMeaning="")
            ),
            ScheduledProcedureStepID=study_id,
            RequestedProcedureID=study_id,
        )
    )
