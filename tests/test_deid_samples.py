"""De-identification of a generated Gemini study (elscint_codec.samples) with SUV checks."""

from __future__ import annotations

import io
import subprocess

import pydicom
import pytest

from elscint_codec.cli_deid import main
from elscint_codec.deid import Deidentifier, DeidOptions, ExcludedError
from elscint_codec.dicom import decompress
from elscint_codec.samples import write_study
from elscint_codec.suv import SeriesRecord, compute_factors
from tooling import require_tool

KEY = b"samples-key-0123456789abcdef!!"
IDENTIFYING = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "AccessionNumber",
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "ReferringPhysicianName",
    "StationName",
    "StudyID",
    "DeviceSerialNumber",
    "PerformingPhysicianName",
)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gemini")
    files = write_study(folder, seed=7, ct_slices=2, pet_slices=3, rgb=True)
    return folder, files


def _load(files):
    return [decompress(pydicom.dcmread(path)) for path in files]


def _encode(ds) -> bytes:
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _secrets(datasets, *, dates: bool) -> set[str]:
    found = set()
    for ds in datasets:
        for keyword in IDENTIFYING:
            value = str(ds.get(keyword, "") or "").strip()
            if len(value) >= 3:
                found.add(value)
                found |= {part for part in value.split("^") if len(part) >= 3}
        for keyword in (
            "StudyInstanceUID",
            "SeriesInstanceUID",
            "SOPInstanceUID",
            "FrameOfReferenceUID",
        ):
            found.add(str(ds[keyword].value))
        if dates:
            found.add(str(ds.StudyDate))
    return found


def _suv(datasets):
    pets = [ds for ds in datasets if ds.Modality == "PT"]
    return compute_factors(SeriesRecord.from_datasets(pets))


@pytest.mark.parametrize("enable", [(), ("retain-modified-dates",)])
def test_generated_study_loses_identity_and_keeps_suv_and_fusion(study, enable):
    _, files = study
    inputs = _load(files)
    deid = Deidentifier(DeidOptions(enable=enable, key_secret=KEY))
    capture = next(ds for ds in inputs if ds.Modality == "OT")
    with pytest.raises(ExcludedError, match="burned-in annotation"):
        deid.deidentify(capture)
    inputs = [ds for ds in inputs if ds is not capture]
    outputs = [deid.deidentify(ds) for ds in inputs]
    secrets = _secrets(inputs, dates=bool(enable))
    for out in outputs:
        data = _encode(out)
        for secret in secrets:
            assert secret.encode("latin-1") not in data, secret
    assert len({ds.FrameOfReferenceUID for ds in outputs}) == 1
    assert len({ds.StudyInstanceUID for ds in outputs}) == 1
    before, after = _suv(inputs), _suv(outputs)
    assert after.bw is not None
    assert after.bw == before.bw  # exactly: same inputs, or whole days shifted
    assert after.sul == before.sul
    assert after.decay_time_s == before.decay_time_s
    assert after.source == before.source


def test_elscint_deid_command_on_the_compressed_study(study, tmp_path):
    folder, _ = study
    output = tmp_path / "anon"
    assert main([str(folder), "-o", str(output), "--key", str(tmp_path / "k.key")]) == 0
    written = sorted(output.rglob("*.dcm"))
    assert len(written) == 5
    datasets = [pydicom.dcmread(p) for p in written]
    assert {ds.file_meta.TransferSyntaxUID for ds in datasets} == {
        pydicom.uid.ExplicitVRLittleEndian
    }
    assert all(0x07A1100A not in ds for ds in datasets)
    assert _suv(datasets).bw == _suv(_load(study[1])).bw


@pytest.mark.tools
def test_generated_study_has_no_new_dciodvfy_errors(study, tmp_path):
    dciodvfy = require_tool("dciodvfy")
    _, files = study
    deid = Deidentifier(DeidOptions(key_secret=KEY, keep_burned_in=True))

    def errors(path) -> set[str]:
        run = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True, check=False)
        return {line for line in (run.stdout + run.stderr).splitlines() if "Error" in line}

    for i, ds in enumerate(_load(files)):
        source, target = tmp_path / f"in{i}.dcm", tmp_path / f"out{i}.dcm"
        pydicom.dcmwrite(source, ds, enforce_file_format=True)
        pydicom.dcmwrite(target, deid.deidentify(ds), enforce_file_format=True)
        assert errors(target) <= errors(source), ds.Modality
