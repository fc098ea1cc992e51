"""``convert --deidentify`` and ``convert --suv``: wiring to the deid and SUV packages."""

from __future__ import annotations

import json

import pydicom
import pytest

from convert_builders import dicom_files, elscint_file, make_tree, report_rows
from elscint_codec import deid
from elscint_codec.cli import main
from elscint_codec.converter import ConvertOptions, convert

SECRET = b"0123456789abcdef0123456789abcdef"


def _options(**kwargs: object) -> ConvertOptions:
    settings = deid.DeidOptions(key_secret=SECRET)
    return ConvertOptions(jobs=1, previews=False, deidentify=settings, **kwargs)  # type: ignore[arg-type]


def test_deidentified_output_and_reports_name_nobody(tmp_path):
    root = tmp_path / "src"
    paths = make_tree(root)
    out = tmp_path / "out"
    summary = convert([root], out, options=_options(verify=True))
    assert summary.failed == 0
    assert summary.converted == 8  # 7 Elscint grey images + the standard file
    rows = report_rows(out)
    (excluded,) = [row for row in rows if row["reason"].startswith("excluded")]
    assert "Secondary Capture" in excluded["reason"]  # the RGB1 capture may show text
    images = [p for name, p in paths.items() if name not in ("dicomdir", "notes")]
    originals = {pydicom.dcmread(p).SOPInstanceUID for p in images}
    files = dicom_files(out)
    for name, data in files.items():
        assert "DOE" not in name
        assert "PID1" not in name
        assert name.startswith("ANON-")
        written = pydicom.dcmread(out / name)
        assert written.PatientIdentityRemoved == "YES"
        assert written.SOPInstanceUID not in originals
        assert written.file_meta.MediaStorageSOPInstanceUID == written.SOPInstanceUID
        assert b"DOE^JOHN" not in data
    ct = next(n for n in files if pydicom.dcmread(out / n).get("InstanceNumber") == 1
              and pydicom.dcmread(out / n).Modality == "CT"
              and "PixelData" in pydicom.dcmread(out / n))  # fmt: skip
    assert pydicom.dcmread(out / ct).pixel_array.shape == (16, 12)
    text = (out / "elscint-report.csv").read_text(encoding="utf-8-sig")
    text += (out / "elscint-report.json").read_text(encoding="utf-8")
    assert str(root) not in text
    assert "DOE" not in text
    for uid in originals:
        assert uid not in text
    assert all(row["input"].startswith("input-") for row in report_rows(out))


def test_deidentified_rerun_is_already_done(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    elscint_file(root / "IM2", 2)
    out = tmp_path / "out"
    first = convert([root], out, options=_options())
    again = convert([root], out, options=_options(verify=True))
    assert (first.converted, again.already_done, again.failed) == (2, 2, 0)
    assert [r["status"] for r in report_rows(out)] == ["already done", "already done"]


def test_linkage_file_and_new_key(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    key, linkage = tmp_path / "secret" / "project.key", tmp_path / "secret" / "link.csv"
    settings = deid.DeidOptions(key_path=key, linkage_path=linkage)
    summary = convert([root], tmp_path / "out",
                      options=ConvertOptions(jobs=1, previews=False, deidentify=settings))  # fmt: skip
    assert summary.converted == 1
    assert key.exists()
    assert any("created the de-identification key" in note for note in summary.notes)
    table = linkage.read_text(encoding="utf-8")
    assert "PID1" in table
    assert "ANON-" in table
    inside = deid.DeidOptions(key_path=key, linkage_path=tmp_path / "out" / "link.csv")
    with pytest.raises(ValueError, match="inside OUTPUT"):
        convert([root], tmp_path / "out", options=ConvertOptions(jobs=1, deidentify=inside))


def test_cli_deidentify_flags(tmp_path, capsys):
    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    key = tmp_path / "k.key"
    args = ["convert", str(root), "-o", str(tmp_path / "out"), "-j", "1", "--deidentify",
            "--key", str(key), "--profile", "basic"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "created the de-identification key" in out
    assert str(key) in out
    assert main(["convert", str(root), "-o", str(tmp_path / "o2"), "--key", str(key)]) == 2


def test_suv_after_conversion(tmp_path, capsys):
    from elscint_codec.samples import write_study

    write_study(tmp_path / "src", seed=3, ct_slices=0, pet_slices=2, rgb=False)
    out = tmp_path / "out"
    summary = convert([tmp_path / "src"], out,
                      options=ConvertOptions(jobs=1, previews=False, suv=True, rwvm=True))  # fmt: skip
    assert summary.converted == 2
    assert summary.suv_series == 1
    assert any("SUV computed for 1 of 1 PET series" in note for note in summary.notes)
    document = json.loads((out / "elscint-suv.json").read_text(encoding="utf-8"))
    assert document
    assert list((out / "rwvm").rglob("*.dcm"))
    assert main(["convert", str(tmp_path / "src"), "-o", str(out), "--rwvm"]) == 2
    assert "--rwvm and --suv-series need --suv" in capsys.readouterr().err
