"""RWVM objects for 3D Slicer and derived SUVbw series."""

from __future__ import annotations

import hashlib
import subprocess

import numpy as np
import pydicom
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import suv_cases as cases
from elscint_codec.suv import suv_report
from elscint_codec.suv.derived import encode_slice
from tooling import require_tool

EXPECTED_BW = 70000 / (370e6 * 2 ** (-3600 / 6586.2))
SLOPES = ["0.5", "2.25", "7.125"]


@pytest.fixture
def pet_folder(tmp_path):
    images = [
        (np.arange(64, dtype=np.uint16).reshape(8, 8) * (97 + 13 * i)).astype(np.uint16)
        for i in range(3)
    ]
    datasets = cases.pet_series(
        3, pixels=images, per_slice={"RescaleSlope": SLOPES}, BodyPartExamined="WHOLEBODY"
    )
    cases.write_series(tmp_path / "pet", datasets)
    return tmp_path / "pet", datasets


def _read(path):
    return pydicom.dcmread(path)


# --- RWVM ----------------------------------------------------------------------------------


def test_rwvm_follows_the_slicer_conventions(pet_folder, tmp_path):
    folder, datasets = pet_folder
    (result,) = suv_report([folder], tmp_path / "out", rwvm=True)
    assert result.ok
    (path,) = result.outputs
    ds = _read(path)
    assert ds.Modality == "RWV"
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.67"
    assert ds.StudyInstanceUID == datasets[0].StudyInstanceUID
    assert ds.PatientID == datasets[0].PatientID
    assert ds.SeriesInstanceUID != datasets[0].SeriesInstanceUID
    # DICOMPETSUVPlugin matches the PET series through ReferencedSeriesSequence[0]
    (series,) = ds.ReferencedSeriesSequence
    assert series.SeriesInstanceUID == datasets[0].SeriesInstanceUID
    uids = {d.SOPInstanceUID for d in datasets}
    assert {i.ReferencedSOPInstanceUID for i in series.ReferencedInstanceSequence} == uids
    # DICOMRWVMPlugin uses the first item: SUVbw, slope per rescaled (Bq/ml) value
    first = ds.ReferencedImageRealWorldValueMappingSequence[0]
    mapping = first.RealWorldValueMappingSequence[0]
    assert float(mapping.RealWorldValueSlope) == pytest.approx(EXPECTED_BW, rel=1e-12)
    assert float(mapping.RealWorldValueIntercept) == 0
    unit = mapping.MeasurementUnitsCodeSequence[0]
    assert (unit.CodeValue, unit.CodingSchemeDesignator) == ("g/ml{SUVbw}", "UCUM")
    assert unit.CodeMeaning == "Standardized Uptake Value body weight"
    quantity = [
        q.ConceptCodeSequence[0].CodeValue
        for q in mapping.QuantityDefinitionSequence
        if q.ConceptNameCodeSequence[0].CodeMeaning == "Quantity"
    ]
    assert quantity == ["126400"]
    assert {i.ReferencedSOPInstanceUID for i in first.ReferencedImageSequence} == uids
    meanings = [
        item.RealWorldValueMappingSequence[0].MeasurementUnitsCodeSequence[0].CodeMeaning
        for item in ds.ReferencedImageRealWorldValueMappingSequence
    ]
    assert len(meanings) == 6
    assert all(m.startswith("Standardized Uptake Value") for m in meanings)


def test_rwvm_gives_slicer_the_right_suv_with_per_slice_rescale_slopes(pet_folder, tmp_path):
    # Slicer: volume = stored x RescaleSlope (scalar-volume plugin), then x RWV slope
    folder, datasets = pet_folder
    (result,) = suv_report([folder], tmp_path / "out", rwvm=True)
    mapping = _read(result.outputs[0]).ReferencedImageRealWorldValueMappingSequence[0]
    slope = float(mapping.RealWorldValueMappingSequence[0].RealWorldValueSlope)
    for ds, rescale in zip(datasets, SLOPES, strict=True):
        stored = ds.pixel_array.astype(float)
        slicer = stored * float(rescale) * slope
        truth = stored * float(rescale) * 70000 / (370e6 * 2 ** (-3600 / 6586.2))
        np.testing.assert_allclose(slicer, truth, rtol=1e-12)


def test_rwvm_is_the_same_file_on_a_second_run(pet_folder, tmp_path):
    folder, _ = pet_folder
    (first,) = suv_report([folder], tmp_path / "a", rwvm=True)
    (second,) = suv_report([folder], tmp_path / "b", rwvm=True)
    assert first.outputs[0].name == second.outputs[0].name
    assert first.outputs[0].read_bytes() == second.outputs[0].read_bytes()


def test_rwvm_refused_when_factor_varies_per_slice(tmp_path):
    datasets = cases.pet_series(
        2,
        DecayCorrection="NONE",
        CorrectedImage=["ATTN"],
        per_slice={"AcquisitionTime": ["110000", "110200"]},
    )
    cases.write_series(tmp_path / "pet", datasets)
    (result,) = suv_report([tmp_path / "pet"], tmp_path / "out", rwvm=True)
    assert result.status == "failed"
    assert "differs between slices" in result.reason
    assert result.outputs == []


@pytest.mark.tools
def test_rwvm_is_valid_for_dciodvfy_and_dcmdump(pet_folder, tmp_path):
    dciodvfy = require_tool("dciodvfy")
    dcmdump = require_tool("dcmdump")
    folder, _ = pet_folder
    (result,) = suv_report([folder], tmp_path / "out", rwvm=True)
    path = str(result.outputs[0])
    check = subprocess.run([dciodvfy, path], capture_output=True, text=True, check=False)
    report = check.stdout + check.stderr
    assert "RealWorldValueMapping" in report
    assert [line for line in report.splitlines() if line.startswith("Error")] == []
    dump = subprocess.run([dcmdump, path], capture_output=True, text=True, check=True).stdout
    assert "RealWorldValueMappingStorage" in dump
    assert "(0040,9225) FD" in dump  # Real World Value Slope as FD, as PS3.3 defines
    assert "[g/ml{SUVbw}]" in dump


# --- derived SUVbw series ------------------------------------------------------------------


def test_derived_series_holds_suv(pet_folder, tmp_path):
    folder, datasets = pet_folder
    before = {p.name: hashlib.sha256(p.read_bytes()).digest() for p in folder.iterdir()}
    (result,) = suv_report([folder], tmp_path / "out", suv_series=True)
    assert result.ok
    assert len(result.outputs) == 3
    derived = [_read(p) for p in result.outputs]
    for original, rescale, new in zip(datasets, SLOPES, derived, strict=True):
        truth = original.pixel_array.astype(float) * float(rescale) * EXPECTED_BW
        slope = float(new.RescaleSlope)
        suv = new.pixel_array.astype(float) * slope + float(new.RescaleIntercept)
        assert np.max(np.abs(suv - truth)) <= slope / 2 * (1 + 1e-9)
        assert new.Units == "GML"
        assert new.SUVType == "BW"
        assert list(new.ImageType)[:2] == ["DERIVED", "PRIMARY"]
        assert new.StudyInstanceUID == original.StudyInstanceUID
        assert new.FrameOfReferenceUID == original.FrameOfReferenceUID
        assert new.SeriesInstanceUID != original.SeriesInstanceUID
        assert new.SOPInstanceUID != original.SOPInstanceUID
        assert new.SourceImageSequence[0].ReferencedSOPInstanceUID == original.SOPInstanceUID
        assert new.file_meta.MediaStorageSOPInstanceUID == new.SOPInstanceUID
        assert not any(element.tag.is_private for element in new)
    assert len({d.SOPInstanceUID for d in derived}) == 3
    assert len({d.SeriesInstanceUID for d in derived}) == 1
    after = {p.name: hashlib.sha256(p.read_bytes()).digest() for p in folder.iterdir()}
    assert after == before


def test_derived_series_reads_back_as_gml(pet_folder, tmp_path):
    folder, _ = pet_folder
    (result,) = suv_report([folder], tmp_path / "out", suv_series=True)
    (again,) = suv_report([result.outputs[0].parent])
    assert again.ok
    assert again.record.units == "GML"
    assert again.factors.bw == (1.0, 1.0, 1.0)


def test_derived_series_of_a_decay_correction_none_series(tmp_path):
    datasets = cases.pet_series(
        2,
        DecayCorrection="NONE",
        CorrectedImage=["ATTN"],
        per_slice={"AcquisitionTime": ["110000", "110200"]},
    )
    cases.write_series(tmp_path / "pet", datasets)
    (result,) = suv_report([tmp_path / "pet"], tmp_path / "out", suv_series=True)
    assert result.ok
    new = [_read(p) for p in result.outputs]
    for ds, factor, original in zip(new, result.factors.bw, datasets, strict=True):
        assert ds.DecayCorrection == "ADMIN"
        assert "DECY" in list(ds.CorrectedImage)
        assert float(ds.DecayFactor) == pytest.approx(factor * 370e6 / 70000, rel=1e-9)
        truth = original.pixel_array.astype(float) * factor
        suv = ds.pixel_array * float(ds.RescaleSlope)
        assert np.max(np.abs(suv - truth)) <= float(ds.RescaleSlope) / 2 * (1 + 1e-9)


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
        elements=st.floats(-1e4, 1e4, allow_nan=False),
    )
)
def test_encode_slice_keeps_every_value_within_half_a_step(values):
    stored, slope = encode_slice(values)
    assert stored.dtype == (np.int16 if values.min() < 0 else np.uint16)
    assert len(pydicom.valuerep.format_number_as_ds(slope)) <= 16
    assert float(pydicom.valuerep.format_number_as_ds(slope)) == slope
    assert np.max(np.abs(stored * slope - values)) <= slope / 2 * (1 + 1e-9)


# --- the generated sample study ------------------------------------------------------------


def _private(ds, creator, offset):
    block = ds.private_block(0x7053, creator)
    return float(block[offset].value)


def test_sample_study_gives_the_suv_its_headers_imply(tmp_path):
    from elscint_codec.samples import write_study

    write_study(tmp_path / "study", ct_slices=1, pet_slices=6, rgb=False)
    (result,) = suv_report([tmp_path / "study"], tmp_path / "out", suv_series=True)
    assert result.ok
    assert result.record.units == "BQML"
    # the SUVbw factor written out from the headers of the first PET file
    ds = pydicom.dcmread(min((tmp_path / "study" / "PT").iterdir()))
    pharm = ds.RadiopharmaceuticalInformationSequence[0]
    scan = pydicom.valuerep.DT(ds.SeriesDate + ds.SeriesTime)
    injection = pydicom.valuerep.DT(pharm.RadiopharmaceuticalStartDateTime)
    seconds = (scan - injection).total_seconds()
    implied = (
        float(ds.PatientWeight)
        * 1000
        / (
            float(pharm.RadionuclideTotalDose)
            * 2 ** (-seconds / float(pharm.RadionuclideHalfLife))
        )
    )
    assert result.factors.bw == pytest.approx([implied] * 6, rel=1e-12)
    # its Philips private factors agree: (7053,xx00) = (7053,xx09) x SUVbw
    creator = "Philips PET Private Group"
    ratio = _private(ds, creator, 0x00) / _private(ds, creator, 0x09)
    assert ratio == pytest.approx(implied, rel=1e-6)
    assert result.factors.philips_check.startswith("agrees")
    assert result.warnings == []
    # and the derived series (decoded from the Elscint stream) holds those SUVs
    new = pydicom.dcmread(result.outputs[0])
    stored = ds.pixel_array if "PixelData" in ds else None
    if stored is None:
        from elscint_codec.dicom import pixel_array

        stored = pixel_array(ds)
    truth = stored * float(ds.RescaleSlope) * implied
    suv = new.pixel_array * float(new.RescaleSlope)
    assert np.max(np.abs(suv - truth)) <= float(new.RescaleSlope) / 2 * (1 + 1e-9)


@pytest.mark.tools
def test_derived_sample_series_adds_no_dciodvfy_error(tmp_path):
    dciodvfy = require_tool("dciodvfy")
    from elscint_codec.samples import write_study

    write_study(tmp_path / "study", ct_slices=0, pet_slices=2, rgb=False)
    (result,) = suv_report([tmp_path / "study"], tmp_path / "out", suv_series=True, rwvm=True)

    def errors(path):
        run = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True, check=False)
        return {
            line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")
        }

    source = min((tmp_path / "study" / "PT").iterdir())
    # the Elscint source lacks only (7FE0,0010), which the derived file has
    assert errors(result.outputs[1]) <= errors(source)
    assert errors(result.outputs[1]) == set()
    assert errors(result.outputs[0]) == set()  # the RWVM object


@pytest.mark.parametrize("value", [7.03554e-319, 4.45306e-319, 1e-300, 1e300])
def test_encode_slice_ends_for_extreme_magnitudes(value):
    # Subnormal values once made the slope search loop for ever: a 1e-9 step
    # rounded back to the same 16-character DS text.
    values = np.array([value, value / 3, 0.0])
    stored, slope = encode_slice(values)
    assert np.max(np.abs(stored * slope - values)) <= slope / 2 * (1 + 1e-9)
