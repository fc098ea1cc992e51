"""Finding PET series in folders, the JSON/CSV report and ``elscint suv`` exit codes."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json

import pytest

import suv_cases as cases
from elscint_codec import cli_suv
from elscint_codec.suv import find_pet_series, suv_report
from elscint_codec.suv.output import CSV_COLUMNS

EXPECTED_BW = 70000 / (370e6 * 2 ** (-3600 / 6586.2))


def run_cli(argv, capsys):
    parser = argparse.ArgumentParser(prog="elscint")
    cli_suv.add_parser(parser.add_subparsers())
    try:
        args = parser.parse_args(["suv", *map(str, argv)])
    except SystemExit as exc:
        code = exc.code
    else:
        code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def study(tmp_path):
    """A folder with a good PET series (Elscint transfer syntax), a PET series without
    weight, a CT file and a text file."""
    source = tmp_path / "source"
    good = cases.pet_series(4, SeriesDescription="GOOD")
    cases.write_series(source / "pet", good, elscint_ts=True)
    cases.write_series(source / "pet" / "copy", good[:1], prefix="DUP")  # same SOP UID
    cases.write_series(
        source / "noweight", cases.pet_series(2, PatientWeight=None, SeriesNumber="4")
    )
    ct = cases.pet_series(1, Modality="CT", SeriesNumber="2")
    ct[0].SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    cases.write_series(source / "ct", ct)
    (source / "notes.txt").write_text("not DICOM")
    return source


def test_find_pet_series_groups_by_series_and_skips_the_rest(study):
    found, summary = find_pet_series([study])
    assert [len(s.paths) for s in found] == [4, 2]
    assert summary.files == 9
    assert summary.other_modality == 1
    assert summary.not_dicom == 1
    assert summary.duplicates == 1
    assert [s.record.slices[i].instance_number for s in found[:1] for i in range(4)] == [
        1,
        2,
        3,
        4,
    ]


def test_find_pet_series_accepts_single_files(study):
    found, _ = find_pet_series(sorted((study / "pet").glob("IM*.dcm"))[:2])
    assert len(found) == 1
    assert len(found[0].paths) == 2


def test_missing_source_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        suv_report([tmp_path / "nowhere"])


def test_suv_report_json_and_csv(study, tmp_path):
    out = tmp_path / "out"
    results = suv_report([study], out)
    assert [r.status for r in results] == ["computed", "refused"]
    document = json.loads((out / "elscint-suv.json").read_text())
    first, second = document["series"]
    assert first["factors"]["bw"] == pytest.approx(EXPECTED_BW, rel=1e-12)
    assert first["scan_rule"] == "series"
    assert first["injection_time"] == "2021-03-04 10:00:00"
    assert len(first["slices"]) == 4
    assert first["slices"][0]["bw"] == first["factors"]["bw"]
    assert second["attribute"] == "(0010,1030) Patient's Weight"
    assert "sul_janma" in document["variants"]
    with (out / "elscint-suv.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert float(rows[0]["factor_bw"]) == first["factors"]["bw"]
    assert rows[1]["status"] == "refused"
    assert rows[1]["factor_bw"] == ""


def test_outputs_need_an_output_folder(study):
    with pytest.raises(ValueError, match="output folder"):
        suv_report([study], rwvm=True)


def test_progress_callback(study):
    seen = []
    suv_report([study], on_progress=lambda stage, detail: seen.append(stage))
    assert seen.count("file") == 9
    assert seen.count("series") == 2


# --- command line ------------------------------------------------------------------------


def test_cli_table_and_exit_code_one_when_a_series_is_refused(study, tmp_path, capsys):
    before = snapshot(study)
    code, out, _ = run_cli([study, "-o", tmp_path / "out", "--rwvm", "--suv-series"], capsys)
    assert code == 1
    assert "PET series 1/2" in out
    assert f"{EXPECTED_BW:.6g} g/ml" in out
    assert "REFUSED: (0010,1030) Patient's Weight is missing" in out
    assert "2 PET series: 1 computed, 1 refused, 0 failed" in out
    assert snapshot(study) == before  # nothing written into the source
    assert len(list((tmp_path / "out" / "rwvm").glob("*.dcm"))) == 1
    assert len(list((tmp_path / "out" / "suv-series").rglob("*.dcm"))) == 4


def test_cli_exit_zero_when_all_computed(study, capsys):
    code, out, _ = run_cli([study / "pet"], capsys)
    assert code == 0
    assert "1 computed, 0 refused" in out


def test_cli_json_and_csv_on_stdout(study, capsys):
    code, out, err = run_cli([study / "pet", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)[0]["factors"]["bw"] == pytest.approx(EXPECTED_BW)
    assert "1 PET series" in err
    code, out, _ = run_cli([study / "pet", "--format", "csv"], capsys)
    assert out.splitlines()[0].split(",")[:3] == ["patient_id", "patient_name", "study_date"]


@pytest.mark.parametrize(
    "argv",
    [
        ["{study}", "--rwvm"],
        ["{study}", "--suv-series"],
        ["{study}/missing"],
        ["{study}", "-o", "{study}/pet/out"],
        ["{study}", "-o", "{study}"],
        ["{study}", "--format", "xml"],
        [],
    ],
)
def test_cli_usage_errors(study, capsys, argv):
    before = snapshot(study)
    code, _, err = run_cli([a.format(study=study) for a in argv], capsys)
    assert code == 2
    assert "error" in err
    assert snapshot(study) == before


def test_cli_fatal_when_nothing_found(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli([tmp_path / "empty"], capsys)
    assert code == 3
    assert "no PET series" in err


def test_cli_fatal_when_output_cannot_be_written(study, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli([study, "-o", blocker / "out"], capsys)
    assert code == 3
    assert "cannot write" in err


def test_cli_help_lists_exit_codes(capsys):
    code, out, _ = run_cli(["--help"], capsys)
    assert code == 0
    assert "exit codes" in out
    assert "default: off" in out


def test_report_on_its_own_output_folder_skips_earlier_outputs(tmp_path):
    # elscint convert --suv: the converted output is both the source and OUT
    folder = tmp_path / "converted"
    cases.write_series(folder / "pet", cases.pet_series(3))
    first = suv_report([folder], folder, rwvm=True, suv_series=True)
    second = suv_report([folder], folder, rwvm=True, suv_series=True)
    assert len(first) == len(second) == 1
    assert [p.relative_to(folder) for p in second[0].outputs] == [
        p.relative_to(folder) for p in first[0].outputs
    ]
    assert len(list((folder / "suv-series").iterdir())) == 1
    assert len(list((folder / "rwvm").iterdir())) == 1
