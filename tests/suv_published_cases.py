"""Published SUV test cases, transcribed (facts only, no code).

- ``CORNERSTONE``: the eight real, de-identified series of cornerstone
  calculate-suv (MIT licence), ``test/metadata/*-instances.json`` (first three
  instances each) with the expected SUVbw factors of
  ``test/calculateSUV_SampleData.test.ts`` (repository
  cornerstonejs/calculate-suv, read at commit 12e4a62a / f5c982b8).
- ``PIXELMED_*``: David Clunie's PixelMed ``com.pixelmed.test.TestSUVTransformValues``
  (test values "based on DRO object, with weight amended to make SUVbw ==
  SUVlbm"), tolerance 1e-4 as in that test.
"""

from __future__ import annotations

from typing import Any

from pydicom.dataset import Dataset

from suv_cases import pet_series

# ---------------------------------------------------------------------------
# cornerstone calculate-suv real-metadata cases (MIT): inputs per instance and
# the expected SUVbw factor. Values exactly as in the JSON files.

_CS_COMMON: dict[str, dict[str, Any]] = {
    "PHILIPS_BQML": {
        "SeriesDate": "20201217",
        "SeriesTime": "110155",
        "PatientSex": "F",
        "PatientSize": "1.75",
        "PatientWeight": "64",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "110156",
        "FrameReferenceTime": "1328700",
        "DecayCorrection": "START",
        "Units": "BQML",
        "RadionuclideTotalDose": "126000000",
        "RadionuclideHalfLife": "6586.199707",
        "RadiopharmaceuticalStartTime": "100058",
        "RadiopharmaceuticalStartDateTime": "20201217100058",
        "CorrectedImage": ["DECY", "RADL", "ATTN", "SCAT", "DTIM", "RAN", "NORM", "CLN"],
        "ActualFrameDuration": "120700",
    },
    "PHILIPS_CNTS_AND_BQML_SUV": {
        "SeriesDate": "20201217",
        "SeriesTime": "093556",
        "PatientSex": "F",
        "PatientWeight": "54",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "095439",
        "FrameReferenceTime": "1183000",
        "DecayCorrection": "START",
        "Units": "CNTS",
        "RadionuclideTotalDose": "238000000",
        "RadionuclideHalfLife": "6588",
        "RadiopharmaceuticalStartTime": "083000",
        "CorrectedImage": ["DECY", "RADL", "ATTN", "SCAT", "DTIM", "RAN", "NORM"],
        "ActualFrameDuration": "120000",
    },
    "PHILIPS_CNTS_AND_SUV": {
        "SeriesDate": "20201217",
        "SeriesTime": "134551",
        "PatientSex": "F",
        "PatientWeight": "47",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "141336",
        "FrameReferenceTime": "1755000",
        "DecayCorrection": "START",
        "Units": "CNTS",
        "RadionuclideTotalDose": "208230000",
        "RadionuclideHalfLife": "6588",
        "RadiopharmaceuticalStartTime": "123000",
        "CorrectedImage": ["DECY", "RADL", "ATTN", "SCAT", "DTIM", "RAN", "NORM"],
        "ActualFrameDuration": "180000",
    },
    "SIEMENS": {
        "SeriesDate": "20201217",
        "SeriesTime": "104829.000000",
        "PatientSex": "M",
        "PatientWeight": "67",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "104830.351370",
        "DecayCorrection": "START",
        "Units": "BQML",
        "RadionuclideTotalDose": "374000000",
        "RadionuclideHalfLife": "6586.2",
        "RadiopharmaceuticalStartTime": "083045.000000",
        "RadiopharmaceuticalStartDateTime": "20201217083045.000000",
        "CorrectedImage": ["NORM", "DTIM", "ATTN", "SCAT", "SCAT", "DECY", "RAN"],
    },
    "GE_MEDICAL_AND_BQML": {
        "SeriesDate": "20201217",
        "SeriesTime": "095621",
        "PatientSex": "F",
        "PatientSize": "1.65",
        "PatientWeight": "52",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "095621",
        "FrameReferenceTime": "0",
        "DecayCorrection": "START",
        "Units": "BQML",
        "RadionuclideTotalDose": "152022720",
        "RadionuclideHalfLife": "6586.2001953125",
        "RadiopharmaceuticalStartTime": "084500.00",
        "RadiopharmaceuticalStartDateTime": "20201217084500.00",
        "CorrectedImage": ["DECY", "ATTN", "SCAT", "DTIM", "RANSNG", "DCAL", "SLSENS", "NORM"],
        "ActualFrameDuration": "120000",
    },
    "BQML_AC_DT_BEFORE_S_DT_SIEMENS": {
        "SeriesDate": "20201217",
        "SeriesTime": "123515.000000",
        "PatientSex": "M",
        "PatientWeight": "65",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "123514.999995",
        "FrameReferenceTime": "59936.854672596",
        "DecayCorrection": "START",
        "Units": "BQML",
        "RadionuclideTotalDose": "225000000",
        "RadionuclideHalfLife": "6586.2",
        "RadiopharmaceuticalStartTime": "114100.000000",
        "CorrectedImage": ["NORM", "DTIM", "ATTN", "SCAT", "DECY", "RAN"],
        "ActualFrameDuration": "120000",
    },
    "CPS_AND_BQML_AC_DT_-_S_DT": {
        "SeriesDate": "20201217",
        "SeriesTime": "134918.000000",
        "PatientSex": "M",
        "PatientWeight": "69",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "130348.234000",
        "FrameReferenceTime": "0",
        "DecayCorrection": "START",
        "Units": "BQML",
        "RadionuclideTotalDose": "388000000",
        "RadionuclideHalfLife": "6586.2",
        "RadiopharmaceuticalStartTime": "120037.000000",
        "CorrectedImage": ["DECY", "SCAT", "ATTN", "NORM", "DTIM", "RAN"],
        "ActualFrameDuration": "180000",
    },
    "RADIOPHARM_DATETIME_UNDEFINED": {
        "SeriesDate": "20201217",
        "SeriesTime": "135431.843000",
        "PatientSex": "M",
        "PatientWeight": "102",
        "AcquisitionDate": "20201217",
        "AcquisitionTime": "141555.687000",
        "FrameReferenceTime": "1372857.9232493",
        "DecayCorrection": "START",
        "Units": "BQML",
        "RadionuclideTotalDose": "412000000",
        "RadionuclideHalfLife": "6586.2",
        "RadiopharmaceuticalStartTime": "125000.000000",
        "CorrectedImage": ["NORM", "DTIM", "ATTN", "SCAT", "RADL", "DECY"],
        "ActualFrameDuration": "180000",
    },
}

#: Per-instance values that differ between the three instances.
_CS_PER_SLICE: dict[str, dict[str, list[str]]] = {
    "SIEMENS": {
        "FrameReferenceTime": ["38513.36", "39189.36", "39864.86"],
        "ActualFrameDuration": ["74324", "75676", "77027"],
    },
}

_CS_PHILIPS: dict[str, dict[str, str]] = {
    "PHILIPS_BQML": {"suv": "0.003515736", "activity": "4.709921"},
    "PHILIPS_CNTS_AND_BQML_SUV": {"suv": "0.000551", "activity": "1.602563"},
    "PHILIPS_CNTS_AND_SUV": {"suv": "0.000728"},
}

#: Expected SUVbw factors, ``test/calculateSUV_SampleData.test.ts``.
CORNERSTONE_EXPECTED: dict[str, float] = {
    "PHILIPS_BQML": 0.0007463747013889488,
    "PHILIPS_CNTS_AND_BQML_SUV": 0.000551,
    "PHILIPS_CNTS_AND_SUV": 0.000728,
    "SIEMENS": 0.00042748316187197236,
    "GE_MEDICAL_AND_BQML": 0.0005367387681819742,
    "BQML_AC_DT_BEFORE_S_DT_SIEMENS": 0.0004069156854009332,
    "CPS_AND_BQML_AC_DT_-_S_DT": 0.00026503312764157046,
    "RADIOPHARM_DATETIME_UNDEFINED": 0.0003721089202818729,
}


def cornerstone_series(name: str) -> list[Dataset]:
    """The three instances of one cornerstone case as datasets (no other attributes)."""
    return pet_series(
        3,
        base=None,
        Modality="PT",
        per_slice=_CS_PER_SLICE.get(name),
        philips=_CS_PHILIPS.get(name),
        **_CS_COMMON[name],
    )


# ---------------------------------------------------------------------------
# PixelMed TestSUVTransformValues: shared inputs and expected SUVs.

PIXELMED_STORED = 7972
PIXELMED_EXPECTED = {"bw": 1.0, "bsa": 0.3806, "sul_james120": 1.0, "ibw": 2.7726}
PIXELMED_TOLERANCE = 1e-4
PIXELMED_PATIENT: dict[str, Any] = {
    "PatientSex": "M",
    "PatientSize": "2.898275349237887",
    "PatientWeight": "70",
    "Modality": "PT",
    "CorrectedImage": ["ATTN", "DECY"],
    "RescaleIntercept": "0",
}
PIXELMED_BQML: dict[str, Any] = {
    **PIXELMED_PATIENT,
    "RadiopharmaceuticalStartTime": "130100",
    "RadionuclideTotalDose": "370000000",
    "RadionuclideHalfLife": "6586",
    "Units": "BQML",
    "DecayCorrection": "START",
    "RescaleSlope": "0.453901487278775",
    "SeriesDate": "20111031",
    "AcquisitionDate": "20111031",
    "SeriesTime": "140100",
    "AcquisitionTime": "140100",
}
#: TestSUVTransformValues_PhilipsSUVScaleFactor: no dose, no times at all.
PIXELMED_CNTS: dict[str, Any] = {
    **PIXELMED_PATIENT,
    "Units": "CNTS",
    "RescaleSlope": "0.453901487278775",
}
PIXELMED_CNTS_SUV_FACTOR = "2.7634E-4"
#: TestSUVTransformValues_GMLUnitsWithoutSUVType.
PIXELMED_GML: dict[str, Any] = {**PIXELMED_PATIENT, "Units": "GML", "RescaleSlope": "1.2543E-4"}
#: TestSUVTransformValues_DeriveScanDateTime...: six beds, expected 2012-09-28 12:13:10.062
#: for each bed "in seconds" (PixelMed compares whole seconds, truncated).
PIXELMED_BEDS: dict[str, Any] = {
    **PIXELMED_PATIENT,
    "RadiopharmaceuticalStartTime": "103600",
    "RadionuclideTotalDose": "338549987.79297",
    "RadionuclideHalfLife": "6586.2",
    "Units": "BQML",
    "DecayCorrection": "START",
    "RescaleSlope": "5.02139",
    "SeriesDate": "20120928",
    "AcquisitionDate": "20120928",
    "SeriesTime": "121310.062000",
    "ActualFrameDuration": "120000",
}
PIXELMED_BED_TIMES = [
    "121310.062000",
    "121513.671000",
    "121717.468000",
    "121921.296000",
    "122125.281000",
    "122328.984000",
]
PIXELMED_BED_FRT = [
    "59936.854672596",
    "182936.8546726",
    "306936.8546726",
    "430936.8546726",
    "554936.8546726",
    "677936.8546726",
]
