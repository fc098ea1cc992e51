"""``elscint deid`` end to end: layout, report, exit codes, linkage, no writes to inputs."""

from __future__ import annotations

import argparse
import csv
import json
import os
import stat

import pydicom
import pytest
from pydicom.dataset import Dataset

from deid_cases import Identity, burned_in_capture, make_study
from elscint_codec import cli_deid
from elscint_codec.cli_deid import main

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture
def study(tmp_path):
    source = tmp_path / "Mueller_Juergen_PID4711XQ"
    (source / "PET CT").mkdir(parents=True)
    for i, ds in enumerate([*make_study(), burned_in_capture(Identity())]):
        pydicom.dcmwrite(source / "PET CT" / f"img{i}.dcm", ds, enforce_file_format=True)
    (source / "notes.txt").write_text("not dicom", encoding="utf-8")
    return source


def _snapshot(folder):
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}


def _report(output):
    with (output / "elscint-deid-report.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_deid_writes_pseudonymised_layout_and_a_clean_report(tmp_path, study, capsys):
    before = _snapshot(study)
    output = tmp_path / "anon"
    key = tmp_path / "secret" / "k.key"
    assert main([str(study), "-o", str(output), "--key", str(key)]) == 0
    assert _snapshot(study) == before  # inputs untouched
    rows = _report(output)
    statuses = sorted(r["status"] for r in rows)
    assert statuses == ["deidentified"] * 4 + ["excluded", "skipped"]
    excluded = next(r for r in rows if r["status"] == "excluded")
    assert excluded["detail"].startswith("excluded: burned-in annotation")
    files = sorted(p for p in output.rglob("*.dcm"))
    assert len(files) == 4
    ident = Identity()
    secrets = [*ident.identifying_strings(), study.name, "PET CT", "img0", str(tmp_path)]
    texts = [
        (output / "elscint-deid-report.csv").read_text(encoding="utf-8"),
        (output / "elscint-deid-report.json").read_text(encoding="utf-8"),
        capsys.readouterr().err,
        *(str(p.relative_to(output)) for p in files),
    ]
    for text in texts:
        for secret in secrets:
            if secret == str(tmp_path) and "created new key file" in text:
                continue  # the console names the key file it created, on purpose
            assert secret not in text
    for path in files:
        ds = pydicom.dcmread(path)
        assert path.relative_to(output).parts[0] == ds.PatientID
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.PatientIdentityRemoved == "YES"
    summary = json.loads((output / "elscint-deid-report.json").read_text(encoding="utf-8"))
    assert "Retain Safe Private" in summary["description"]
    assert summary["counts"]["deidentified"] == 4
    assert not list(output.rglob(".elscint-tmp-*"))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 or os.name != "posix"


def test_rerun_is_idempotent_and_refuses_to_overwrite_different_content(tmp_path, study):
    output = tmp_path / "anon"
    key = tmp_path / "k.key"
    assert main([str(study), "-o", str(output), "--key", str(key)]) == 0
    first = _snapshot(output / _report(output)[1]["output"].split("/")[0])
    assert main([str(study), "-o", str(output), "--key", str(key)]) == 0
    assert {r["status"] for r in _report(output)} == {"already done", "excluded", "skipped"}
    assert _snapshot(output / _report(output)[1]["output"].split("/")[0]) == first
    # Other options give other bytes for the same new UIDs: never overwritten silently.
    assert main([str(study), "-o", str(output), "--key", str(key), "--profile", "basic"]) == 1
    failed = [r for r in _report(output) if r["status"] == "failed"]
    assert len(failed) == 4
    assert "different content" in failed[0]["detail"]


@posix_only
def test_linkage_files_are_owner_only_and_outside_the_output(tmp_path, study):
    output, link = tmp_path / "anon", tmp_path / "private" / "link.csv"
    link.parent.mkdir()
    args = [str(study), "-o", str(output), "--key", str(tmp_path / "k"), "--linkage", str(link)]
    assert main([*args, "--keep-burned-in"]) == 0
    assert stat.S_IMODE(link.stat().st_mode) == 0o600
    files = link.with_name("link.csv.files.csv")
    assert stat.S_IMODE(files.stat().st_mode) == 0o600
    assert Identity().patient_id in link.read_text(encoding="utf-8")
    assert str(study) in files.read_text(encoding="utf-8")
    assert sum(1 for _ in output.rglob("*.dcm")) == 5  # the capture kept on request
    inside = output / "link.csv"
    assert main([str(study), "-o", str(output), "--linkage", str(inside)]) == 2
    assert not inside.exists()


def test_dry_run_writes_nothing_and_creates_no_key(tmp_path, study, capsys):
    output, key = tmp_path / "anon", tmp_path / "new.key"
    assert main([str(study), "-o", str(output), "--key", str(key), "--dry-run"]) == 0
    assert not output.exists()
    assert not key.exists()
    out = capsys.readouterr().out
    assert out.count("would write") == 4
    assert Identity().patient_id not in out


@pytest.mark.parametrize(
    ("make_args", "code"),
    [
        (lambda src, tmp: [str(src), "-o", str(src / "out")], 2),  # OUTPUT inside SOURCE
        (lambda src, tmp: [str(tmp / "missing"), "-o", str(tmp / "o")], 2),
        (lambda src, tmp: [str(src), "-o", str(tmp / "o"), "--option", "nope"], 2),
        (lambda src, tmp: [str(tmp / "empty"), "-o", str(tmp / "o"), "--key", str(tmp / "k")], 3),
        (lambda src, tmp: [str(src), "-o", str(tmp / "o"), "--key", str(tmp / "o" / "k")], 2),
    ],
)
def test_usage_and_fatal_errors_have_their_exit_codes(tmp_path, study, make_args, code):
    (tmp_path / "empty").mkdir()
    assert main(make_args(study, tmp_path)) == code
    assert not (study / "out").exists()


def test_argparse_errors_exit_with_2(tmp_path):
    with pytest.raises(SystemExit) as info:
        main([str(tmp_path)])  # no -o
    assert info.value.code == 2


def test_broken_and_unmapped_inputs_fail_without_stopping_the_run(tmp_path, study):
    broken = study / "PET CT" / "broken.dcm"
    broken.write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff")
    mapping = tmp_path / "map.csv"
    mapping.write_text("patient_id,pseudonym_id\nSOMEONE,S-1\n", encoding="utf-8")
    output = tmp_path / "anon"
    code = main(
        [str(study), "-o", str(output), "--mapping", str(mapping), "--key", str(tmp_path / "k")]
    )
    assert code == 1
    rows = _report(output)
    assert any(
        r["status"] == "failed" and "not in the pseudonym mapping" in r["detail"] for r in rows
    )
    assert sum(r["status"] == "failed" for r in rows) == 5
    assert not list(output.rglob("*.dcm"))


def test_subcommand_registers_on_a_parent_parser(tmp_path, study):
    parser = argparse.ArgumentParser(prog="elscint")
    cli_deid.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["deid", str(study), "-o", str(tmp_path / "o"), "--dry-run"])
    assert args.func is cli_deid.run
    assert args.profile == "pet-safe"
    assert args.func(args) == 0


def test_compressed_input_is_decompressed_first(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_decompress(ds: Dataset) -> Dataset:
        calls.append(ds.SOPInstanceUID)
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
        return ds

    dicom = pytest.importorskip("elscint_codec.dicom")
    monkeypatch.setattr(dicom, "decompress", fake_decompress)
    source = tmp_path / "in"
    source.mkdir()
    ds = make_study(pet=0, ct=1)[0]
    ds.file_meta.TransferSyntaxUID = "1.3.46.670589.33.1.4.1"
    pydicom.dcmwrite(
        source / "c.dcm", ds, enforce_file_format=True, implicit_vr=False, little_endian=True
    )
    assert main([str(source), "-o", str(tmp_path / "out"), "--key", str(tmp_path / "k")]) == 0
    assert calls == [ds.SOPInstanceUID]
