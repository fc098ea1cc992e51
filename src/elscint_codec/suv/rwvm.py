"""Real World Value Mapping (RWVM) objects that make 3D Slicer show SUV.

3D Slicer's PETDICOMExtension (QIICR/Slicer-PETDICOMExtension) looks, for
every PET series, for an instance of Modality ``RWV`` in the same study whose
Referenced Series Sequence points to that series. Its DICOMRWVMPlugin loads
the PET files with the scalar-volume plugin, which already applies each
slice's Rescale Slope and Intercept, then multiplies the whole volume by the
Real World Value Slope of the FIRST mapping item, and names the volume after
that item's Measurement Units code meaning.

Slope convention (differs from PS3.3): the slope here is the SUV per
*rescaled* value (Bq/ml for BQML), one value per series. PS3.3 C.7.6.16.2.11
defines the mapping on *stored* pixel values, which for PET with a per-slice
Rescale Slope would need one mapping per slice. A strict PS3.3 reader would
therefore get wrong SUVs from this object unless every Rescale Slope is 1;
the Content Description says so in the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from elscint_codec._version import __version__
from elscint_codec.atomic import write_dataset
from elscint_codec.suv.factors import SUVFactors
from elscint_codec.suv.record import SeriesRecord
from elscint_codec.suv.report import RWVM_FOLDER, read_header
from elscint_codec.suv.rules import SUVError

__all__ = ["RWVM_SOP_CLASS", "UNIT_CODES", "build_rwvm", "rwvm_path", "write_rwvm"]

RWVM_SOP_CLASS = UID("1.2.840.10008.5.1.4.1.1.67")
PET_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.128"

#: Factor key -> (LUT Label, UCUM code value, code meaning, measurement method code,
#: method meaning). Units from PS3.16 CID 85 "SUV Unit"; methods DCM 126410-126413.
#: SUVbw first: Slicer only uses the first item.
UNIT_CODES: dict[str, tuple[str, str, str, str, str]] = {
    "bw": ("SUVbw", "g/ml{SUVbw}", "Standardized Uptake Value body weight",
           "126410", "SUV body weight calculation method"),
    "sul_janma": ("SUVlbmJanma", "g/ml{SUVlbm(Janma)}",
                  "Standardized Uptake Value lean body mass (Janma)",
                  "126411", "SUV lean body mass calculation method"),
    "sul_james128": ("SUVlbmJames128", "g/ml{SUVlbm(James128)}",
                     "Standardized Uptake Value lean body mass (James 128 multiplier)",
                     "126411", "SUV lean body mass calculation method"),
    "sul_james120": ("SUVlbmJames", "g/ml{SUVlbm}",
                     "Standardized Uptake Value lean body mass (James)",
                     "126411", "SUV lean body mass calculation method"),
    "bsa": ("SUVbsa", "cm2/ml{SUVbsa}", "Standardized Uptake Value body surface area",
            "126412", "SUV body surface area calculation method"),
    "ibw": ("SUVibw", "g/ml{SUVibw}", "Standardized Uptake Value ideal body weight",
            "126413", "SUV ideal body weight calculation method"),
}  # fmt: skip

_PATIENT_STUDY = (
    "SpecificCharacterSet", "PatientName", "PatientID", "IssuerOfPatientID",
    "PatientBirthDate", "PatientSex", "PatientAge", "PatientSize", "PatientWeight",
    "StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName", "StudyID",
    "AccessionNumber", "StudyDescription",
)  # fmt: skip
_TYPE2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate",
          "StudyTime", "ReferringPhysicianName", "StudyID", "AccessionNumber")  # fmt: skip
DESCRIPTION = "SUV per rescaled value (3D Slicer convention, not PS3.3)"


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    if len(value) > 16:  # SH limit: PS3.3 Code Sequence Macro uses Long Code Value
        item.LongCodeValue = value
    else:
        item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def _concept(name: Dataset, concept: Dataset) -> Dataset:
    item = Dataset()
    item.ValueType = "CODE"
    item.ConceptNameCodeSequence = DicomSequence([name])
    item.ConceptCodeSequence = DicomSequence([concept])
    return item


def _mapping(key: str, slope: float, first: int, last: int, signed: bool) -> Dataset:
    label, unit, meaning, method, method_meaning = UNIT_CODES[key]
    item = Dataset()
    item.LUTExplanation = meaning
    item.LUTLabel = label
    vr = "SS" if signed else "US"
    item.add_new(0x00409216, vr, first)  # Real World Value First Value Mapped
    item.add_new(0x00409211, vr, last)  # Real World Value Last Value Mapped
    item.RealWorldValueIntercept = 0.0
    item.RealWorldValueSlope = slope
    item.MeasurementUnitsCodeSequence = DicomSequence([_code(unit, "UCUM", meaning)])
    item.QuantityDefinitionSequence = DicomSequence(
        [
            _concept(_code("246205007", "SCT", "Quantity"),
                     _code("126400", "DCM", "Standardized Uptake Value")),
            _concept(_code("370129005", "SCT", "Measurement Method"),
                     _code(method, "DCM", method_meaning)),
        ]
    )  # fmt: skip
    return item


def _references(record: SeriesRecord) -> DicomSequence:
    items = []
    for item in record.slices:
        ref = Dataset()
        ref.ReferencedSOPClassUID = record.sop_class_uid or PET_SOP_CLASS
        ref.ReferencedSOPInstanceUID = item.sop_instance_uid
        items.append(ref)
    return DicomSequence(items)


def build_rwvm(record: SeriesRecord, factors: SUVFactors, reference: Dataset) -> Dataset:
    """Build the RWVM data set for one PET series.

    Parameters
    ----------
    record, factors : the series and its SUV factors
    reference : a header of the series, for the Patient and Study modules

    Raises
    ------
    SUVError
        When the SUVbw factor differs between slices (Decay Correction NONE):
        Slicer takes a single slope per series.
    """
    bw = factors.uniform("bw")
    if bw is None:
        raise SUVError(
            "the SUVbw factor differs between slices (one slope per series is all "
            "3D Slicer reads); use --suv-series instead",
            "(0054,1102) Decay Correction",
        )
    if not record.series_instance_uid or any(not s.sop_instance_uid for s in record.slices):
        raise SUVError("a file of the series has no UID", "(0008,0018) SOP Instance UID")
    ds = Dataset()
    for keyword in _PATIENT_STUDY:
        if keyword in reference:
            ds[keyword] = reference[keyword]
    for keyword in _TYPE2:
        if keyword not in ds:
            setattr(ds, keyword, "")
    slopes = [(key, factors.uniform(key)) for key in UNIT_CODES]
    seed = [record.series_instance_uid, *(repr(v) for _, v in slopes)]
    ds.SOPClassUID = RWVM_SOP_CLASS
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["elscint-suv-rwvm-instance", *seed])
    ds.Modality = "RWV"
    ds.SeriesInstanceUID = generate_uid(
        entropy_srcs=["elscint-suv-rwvm-series", record.series_instance_uid]
    )
    ds.SeriesNumber = 2000 + (record.series_number or 0)
    ds.SeriesDescription = f"SUV mapping {record.series_description or ''}".strip()[:64]
    # Dates of the PET series, not "now": the same input gives the same bytes.
    when = record.series_datetime or min(
        (s.acquisition for s in record.slices if s.acquisition is not None),
        default=None,
    )
    if when is None:
        when = datetime.now().replace(microsecond=0)
    ds.SeriesDate = ds.ContentDate = when.strftime("%Y%m%d")
    ds.SeriesTime = ds.ContentTime = when.strftime("%H%M%S")
    ds.Manufacturer = "elscint-codec"
    ds.SoftwareVersions = __version__
    ds.InstanceNumber = 1
    ds.ContentLabel = "SUV"
    ds.ContentDescription = DESCRIPTION
    ds.ContentCreatorName = "elscint-codec^"
    # General Series: Laterality is 2C on paired body parts; empty means unknown.
    for keyword in ("BodyPartExamined", "Laterality"):
        if keyword in reference:
            ds[keyword] = reference[keyword]
    if "BodyPartExamined" not in ds and "Laterality" not in ds:
        ds.Laterality = ""
    signed = int(reference.get("PixelRepresentation", 0) or 0) == 1
    bits = int(reference.get("BitsStored", 16) or 16)
    first, last = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    mappings = []
    for key, slope in slopes:
        if slope is None:
            continue
        item = Dataset()
        item.RealWorldValueMappingSequence = DicomSequence(
            [_mapping(key, slope, first, last, signed)]
        )
        item.ReferencedImageSequence = _references(record)
        mappings.append(item)
    ds.ReferencedImageRealWorldValueMappingSequence = DicomSequence(mappings)
    series_ref = Dataset()
    series_ref.SeriesInstanceUID = record.series_instance_uid
    series_ref.ReferencedInstanceSequence = _references(record)
    ds.ReferencedSeriesSequence = DicomSequence([series_ref])
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = RWVM_SOP_CLASS
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def rwvm_path(output: Path, record: SeriesRecord) -> Path:
    """Where the RWVM object of a series goes: stable per PET series."""
    digest = hashlib.sha256((record.series_instance_uid or "").encode()).hexdigest()[:16]
    return output / RWVM_FOLDER / f"RWV_{digest}.dcm"


def write_rwvm(
    paths: Sequence[Path], record: SeriesRecord, factors: SUVFactors, output: Path
) -> Path:
    """Write the RWVM object of one series under ``output/rwvm/`` and return its path."""
    if not paths:
        raise SUVError("the series has no files", "(0020,000E) Series Instance UID")
    ds = build_rwvm(record, factors, read_header(paths[0]))
    target = rwvm_path(output, record)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_dataset(target, ds)
    return target
