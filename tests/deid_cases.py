"""Realistic PET/CT datasets full of identifying values, for the de-identification tests.

`make_study` returns CT and PET slices of one study that share a Frame of Reference,
plus a burned-in secondary capture. Every identifying value is recorded in
`Identity` so that tests can search the output bytes for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_CLASS = "1.2.840.10008.5.1.4.1.1.2"
PET_CLASS = "1.2.840.10008.5.1.4.1.1.128"
SC_CLASS = "1.2.840.10008.5.1.4.1.1.7"
PHILIPS_PET = "Philips PET Private Group"


@dataclass(frozen=True)
class Identity:
    """The identifying values of one synthetic patient and study."""

    seed: int = 0
    patient_name: str = "Müller-Lüdenscheidt^Jürgen^Hans"
    patient_id: str = "PID4711XQ"
    issuer: str = "Springfield General MRN"
    other_ids: str = "ALT99887766"
    birth_date: str = "19580312"
    address: str = "12 Evergreen Terrace, Springfield"
    phone: str = "555-0199-4711"
    mother: str = "Zimmermann^Hildegard"
    accession: str = "ACC20201217X"
    study_id: str = "ST8812"
    institution: str = "Springfield General Hospital"
    institution_address: str = "742 Hospital Road, Springfield"
    department: str = "Nuklearmedizin Sieben"
    referring: str = "Hibbert^Julius"
    performing: str = "Riviera^Nick"
    reading: str = "Spaceman^Doctor"
    operator: str = "Nahasapeemapetilon^Apu"
    requesting: str = "Monroe^Marvin"
    station: str = "GEMINI-SPR1"
    serial: str = "SN774411"
    study_date: str = "20201217"
    injection_time: str = "100058.00"
    series_time: str = "110155"
    weight: str = "64.5"
    height: str = "1.72"
    sex: str = "F"
    age: str = "062Y"
    dose: str = "126000000"
    half_life: str = "6586.2"
    suv_factor: str = "0.000746374"
    activity_factor: str = "0.001"
    study_uid: str = field(default="")
    frame_of_reference: str = field(default="")

    def uid(self, *parts: object) -> str:
        """Return a deterministic UID for this identity."""
        return generate_uid(entropy_srcs=[str(self.seed), *map(str, parts)])

    @property
    def study(self) -> str:
        return self.study_uid or self.uid("study")

    @property
    def for_uid(self) -> str:
        return self.frame_of_reference or self.uid("for")

    def identifying_strings(self) -> list[str]:
        """Values that must never appear in output (dates and UIDs excluded)."""
        name_parts = [p for p in self.patient_name.replace("-", "^").split("^") if p]
        return [
            self.patient_name,
            *name_parts,
            self.patient_id,
            self.issuer,
            self.other_ids,
            self.birth_date,
            self.address,
            self.phone,
            "Zimmermann",
            "Hildegard",
            self.accession,
            self.study_id,
            self.institution,
            self.institution_address,
            self.department,
            "Hibbert",
            "Riviera",
            "Spaceman",
            "Nahasapeemapetilon",
            "Monroe",
            self.station,
            self.serial,
            "RP-4711",
            "SPS-4711",
            "/data/PID4711XQ",
        ]


def _pixels(rows: int, cols: int, offset: int) -> bytes:
    ramp = (np.arange(rows * cols, dtype=np.uint16) * 7 + offset) % 4096
    return ramp.reshape(rows, cols).astype("<u2").tobytes()


def _common(ident: Identity, sop_class: str, modality: str, series: int, index: int) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceCreationDate = ident.study_date
    ds.InstanceCreationTime = "120000"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ident.uid("sop", modality, series, index)
    ds.StudyDate = ident.study_date
    ds.SeriesDate = ident.study_date
    ds.AcquisitionDate = ident.study_date
    ds.ContentDate = ident.study_date
    ds.StudyTime = "095500"
    ds.SeriesTime = ident.series_time
    ds.AcquisitionTime = "110156"
    ds.ContentTime = "110200"
    ds.AccessionNumber = ident.accession
    ds.Modality = modality
    ds.Manufacturer = "Philips Medical Systems"
    ds.InstitutionName = ident.institution
    ds.InstitutionAddress = ident.institution_address
    ds.ReferringPhysicianName = ident.referring
    ds.TimezoneOffsetFromUTC = "+0100"
    ds.StationName = ident.station
    ds.StudyDescription = f"PET-CT Whole Body {ident.patient_name.split('^')[0]}"
    ds.SeriesDescription = f"{modality} WB Jürgen Müller-Lüdenscheidt"
    ds.InstitutionalDepartmentName = ident.department
    ds.PerformingPhysicianName = ident.performing
    ds.NameOfPhysiciansReadingStudy = ident.reading
    ds.OperatorsName = ident.operator
    ds.ManufacturerModelName = "GEMINI TF TOF 64"
    ds.PatientName = ident.patient_name
    ds.PatientID = ident.patient_id
    ds.IssuerOfPatientID = ident.issuer
    ds.PatientBirthDate = ident.birth_date
    ds.PatientSex = ident.sex
    ds.OtherPatientIDs = ident.other_ids
    ds.PatientAge = ident.age
    ds.PatientSize = ident.height
    ds.PatientWeight = ident.weight
    ds.PatientAddress = ident.address
    ds.PatientTelephoneNumbers = ident.phone
    ds.PatientMotherBirthName = ident.mother
    ds.DeviceSerialNumber = ident.serial
    ds.SoftwareVersions = "3.3.0"
    ds.ProtocolName = f"WB_FDG_{ident.patient_id}"
    ds.Laterality = ""
    ds.StudyInstanceUID = ident.study
    ds.SeriesInstanceUID = ident.uid("series", modality, series)
    ds.StudyID = ident.study_id
    ds.SeriesNumber = series
    ds.AcquisitionNumber = 1
    ds.InstanceNumber = index + 1
    ds.ImagePositionPatient = [-100.0, -100.0, -10.0 * index]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = ident.for_uid
    ds.PositionReferenceIndicator = ""
    ds.SliceLocation = -10.0 * index
    ds.ImageComments = f"Pt Jürgen Müller-Lüdenscheidt, born 12.03.1958, ID {ident.patient_id}"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = 8
    ds.Columns = 8
    ds.PixelSpacing = [4.0, 4.0]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.PixelData = _pixels(8, 8, index * 3 + series)
    # Request attributes carry IDs and a description nested one level down.
    request = Dataset()
    request.RequestedProcedureID = "RP-4711"
    request.ScheduledProcedureStepID = "SPS-4711"
    request.RequestedProcedureDescription = f"PET FDG {ident.patient_name.split('^')[0]}"
    ds.RequestAttributesSequence = Sequence([request])
    ds.Reference = f"old {ident.patient_id}"  # retired free text (0020,1020)
    # ELSCINT1 private blocks: two safe CT parameters, the patient name, and the
    # compressed-stream copy that a decompress(keep_private=True) leaves behind.
    ds.private_block(0x00E1, "ELSCINT1", create=True).add_new(0x21, "DS", "512.3")
    ds.private_block(0x00E1, "ELSCINT1").add_new(0x7E, "LO", ident.patient_name)
    ds.private_block(0x01F1, "ELSCINT1", create=True).add_new(0x26, "DS", "0.813")
    elscint = ds.private_block(0x07A1, "ELSCINT1", create=True)
    elscint.add_new(0x0A, "OB", b"\xa5\x10" + ident.patient_id.encode() + b"\x00" * 5)
    elscint.add_new(0x11, "CS", "PMSCT_RLE1")
    # A curve and an overlay group, both with identifying text.
    ds.add_new(0x50000005, "US", 1)
    ds.add_new(0x50002500, "LO", f"curve {ident.patient_id}")
    ds.add_new(0x60000010, "US", 8)
    ds.add_new(0x60000011, "US", 8)
    ds.add_new(0x60000022, "LO", f"overlay {ident.patient_name}")
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60000102, "US", 0)
    ds.add_new(0x60003000, "OW", b"\xff" * 8)
    ds.add_new(0xFFFCFFFC, "OB", ident.patient_id.encode() + b"\x00" * 7)  # trailing padding
    return ds


def _file(ds: Dataset) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    ds.file_meta = meta
    return ds


def ct_slice(ident: Identity, index: int = 0) -> Dataset:
    """Return one CT slice."""
    ds = _common(ident, CT_CLASS, "CT", 2, index)
    ds.PatientPosition = "HFS"
    ds.ScanOptions = "HELICAL"
    ds.KVP = "120"
    ds.SliceThickness = "5"
    ds.DataCollectionDiameter = "500"
    ds.ReconstructionDiameter = "600"
    ds.GantryDetectorTilt = "0"
    ds.TableHeight = "150"
    ds.RotationDirection = "CW"
    ds.ExposureTime = "500"
    ds.XRayTubeCurrent = "120"
    ds.ConvolutionKernel = "B"
    ds.ContrastBolusAgent = f"Omnipaque {ident.patient_name.split('^')[0]}"
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelData = _pixels(8, 8, index)
    return _file(ds)


def _radiopharmaceutical(ident: Identity) -> Dataset:
    code = Dataset()
    code.CodeValue = "C-111A1"
    code.CodingSchemeDesignator = "SRT"
    code.CodeMeaning = "^18^Fluorine"
    item = Dataset()
    item.Radiopharmaceutical = "FDG -- fluorodeoxyglucose"
    item.RadiopharmaceuticalStartTime = ident.injection_time
    item.RadiopharmaceuticalStartDateTime = ident.study_date + ident.injection_time
    item.RadionuclideTotalDose = ident.dose
    item.RadionuclideHalfLife = ident.half_life
    item.RadionuclidePositronFraction = "0.97"
    item.RadionuclideCodeSequence = Sequence([code])
    return item


def pet_slice(ident: Identity, index: int = 0) -> Dataset:
    """Return one PET slice with SUV inputs and the Philips PET private group."""
    ds = _common(ident, PET_CLASS, "PT", 3, index)
    ds.Units = "BQML"
    ds.CountsSource = "EMISSION"
    ds.SeriesType = ["WHOLE BODY", "IMAGE"]
    ds.CorrectedImage = ["DECY", "ATTN", "SCAT", "DTIM", "RAN"]
    ds.DecayCorrection = "START"
    ds.RandomsCorrectionMethod = "DLYD"
    ds.AttenuationCorrectionMethod = "CTAC"
    ds.ReconstructionMethod = "BLOB-OS-TF"
    ds.CollimatorType = "NONE"
    ds.NumberOfSlices = 2
    ds.RadiopharmaceuticalInformationSequence = Sequence([_radiopharmaceutical(ident)])
    ds.PatientOrientationCodeSequence = Sequence([])
    ds.PatientGantryRelationshipCodeSequence = Sequence([])
    ds.FrameReferenceTime = "0"
    ds.ImageIndex = index + 1
    ds.ActualFrameDuration = 90000
    ds.DecayFactor = "1.0"
    ds.DoseCalibrationFactor = "1.0"
    ds.RescaleIntercept = "0"
    ds.RescaleSlope = "2.5"
    ds.SliceThickness = "4"
    ds.AcquisitionContextSequence = Sequence([])
    # Image references to the attenuation CT, and a private Philips block holding
    # the SUV and activity factors plus an identifying file name.
    ref = Dataset()
    ref.ReferencedSOPClassUID = CT_CLASS
    ref.ReferencedSOPInstanceUID = ident.uid("sop", "CT", 2, index)
    ds.ReferencedImageSequence = Sequence([ref])
    # The same reference two sequence levels down (a sequence not in Table E.1-1).
    instance = Dataset()
    instance.ReferencedSOPClassUID = CT_CLASS
    instance.ReferencedSOPInstanceUID = ref.ReferencedSOPInstanceUID
    ref_series = Dataset()
    ref_series.SeriesInstanceUID = ident.uid("series", "CT", 2)
    ref_series.ReferencedInstanceSequence = Sequence([instance])
    ds.ReferencedSeriesSequence = Sequence([ref_series])
    philips = ds.private_block(0x7053, PHILIPS_PET, create=True)
    philips.add_new(0x00, "DS", ident.suv_factor)
    philips.add_new(0x09, "DS", ident.activity_factor)
    philips.add_new(0x03, "ST", f"/data/{ident.patient_id}/pet_{index:03d}.img")
    return _file(ds)


def burned_in_capture(ident: Identity) -> Dataset:
    """Return an RGB secondary capture (fused view) with Burned In Annotation YES."""
    ds = _common(ident, SC_CLASS, "OT", 900, 0)
    for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "FrameOfReferenceUID"):
        delattr(ds, keyword)
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.PatientOrientation = ""
    ds.ConversionType = "WSD"
    ds.BurnedInAnnotation = "YES"
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "RGB"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelData = bytes(range(8 * 8 * 3 % 256)) + bytes(8 * 8 * 3 - 8 * 8 * 3 % 256)
    return _file(ds)


def make_study(ident: Identity | None = None, *, ct: int = 2, pet: int = 2) -> list[Dataset]:
    """Return CT then PET slices of one study sharing one Frame of Reference."""
    ident = ident if ident is not None else Identity()
    return [ct_slice(ident, i) for i in range(ct)] + [pet_slice(ident, i) for i in range(pet)]
