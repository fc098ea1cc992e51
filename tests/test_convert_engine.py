"""Engine semantics on generated trees: layouts, resume, overwrite, duplicates, cancel."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pydicom
import pytest

from convert_builders import (
    by_name,
    dicom_files,
    elscint_file,
    make_tree,
    report_rows,
    standard_file,
)
from elscint_codec.converter import ConvertOptions, Progress, convert
from elscint_codec.converter.writer import TEMP_PREFIX

INLINE = ConvertOptions(jobs=1, previews=False)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    root = tmp_path / "src"
    return root, make_tree(root)


def test_mirror_layout_statuses_and_outputs(tmp_path, tree):
    root, paths = tree
    out = tmp_path / "out"
    summary = convert([root], out, options=INLINE)
    assert (summary.converted, summary.copied, summary.skipped, summary.failed) == (8, 1, 2, 0)
    assert summary.exit_code == 0
    assert sorted(dicom_files(out)) == [
        "CT/IM1", "CT/IM2", "CT/IM3", "CT/IM4", "PT/IM1", "PT/IM2", "PT/IM3", "SC/RGB", "std/IM1"
    ]  # fmt: skip
    assert (out / "std" / "IM1").read_bytes() == paths["std"].read_bytes()
    rows = by_name(report_rows(out))
    assert rows["src/DICOMDIR"]["status"] == "skipped"
    assert "DICOMDIR" in rows["src/DICOMDIR"]["reason"]
    assert rows["src/notes.txt"]["status"] == "skipped"
    assert "not a DICOM file" in rows["src/notes.txt"]["reason"]
    assert rows["CT/IM1"]["output"] == "CT/IM1"
    assert rows["CT/IM1"]["compression_type"] == "PMSCT_RLE1"
    assert rows["SC/RGB"]["compression_type"] == "PMSCT_RGB1"
    assert rows["std/IM1"]["status"] == "copied"
    for name in ("CT/IM1", "SC/RGB", "std/IM1"):
        written = pydicom.dcmread(out / rows[name]["output"])
        assert rows[name]["sop_instance_uid"] == written.SOPInstanceUID
        digest = hashlib.sha256(written.PixelData).hexdigest()
        assert rows[name]["pixel_sha256"] == digest


def test_input_is_never_modified(tmp_path, tree):
    root, paths = tree
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths.values()}
    convert([root], tmp_path / "out", options=ConvertOptions(jobs=1, verify=True))
    convert([root], tmp_path / "out", options=ConvertOptions(jobs=1, overwrite=True))
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths.values()} == before
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == sorted(
        p.name for p in paths.values()
    )


def test_source_paths_rules(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    elscint_file(one / "a" / "IM1", 1)
    elscint_file(two / "IM2", 2, series="b")
    single = tmp_path / "lonely.dcm"
    elscint_file(single, 3, series="c")
    convert([one], tmp_path / "o1", options=INLINE)
    assert sorted(dicom_files(tmp_path / "o1")) == ["a/IM1"]
    convert([one, two, single], tmp_path / "o2", options=INLINE)
    assert sorted(dicom_files(tmp_path / "o2")) == ["lonely.dcm", "one/a/IM1", "two/IM2"]
    convert([single], tmp_path / "o3", options=INLINE)
    assert sorted(dicom_files(tmp_path / "o3")) == ["lonely.dcm"]


def test_series_layout(tmp_path, tree):
    root, _ = tree
    out = tmp_path / "out"
    summary = convert([root], out, options=ConvertOptions(jobs=1, layout="series"))
    assert summary.failed == 0
    files = sorted(dicom_files(out))
    assert len(files) == 9
    assert all(name.count("/") == 3 and name.endswith(".dcm") for name in files)
    patients = {name.split("/")[0] for name in files}
    assert patients == {"DOE JOHN (PID1)"}
    series = {name.split("/")[2] for name in files}
    assert len(series) == 4
    assert any(s.startswith("CT 7") for s in series)
    assert any(s.startswith("PT 8") for s in series)
    members: dict[str, list[str]] = {}
    for name in files:
        members.setdefault(name.split("/")[2], []).append(Path(name).name[:5])
    assert sorted(members.values()) == [
        ["00001", "00002", "00003", "00004"], ["00101", "00102", "00103"], ["00201"], ["00301"]
    ]  # fmt: skip


def test_rerun_is_already_done_then_overwrite_redoes(tmp_path, tree):
    root, _ = tree
    out = tmp_path / "out"
    first = convert([root], out, options=INLINE)
    files = dicom_files(out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = convert([root], out, options=INLINE)
    assert (second.converted, second.copied, second.already_done) == (0, 0, 9)
    assert second.exit_code == 0
    assert dicom_files(out) == files
    for path, stamp in stamps.items():
        if path.suffix not in (".csv", ".json"):
            assert path.stat().st_mtime_ns == stamp
    rows = by_name(report_rows(out))
    assert rows["CT/IM2"]["status"] == "already done"
    assert rows["CT/IM2"]["pixel_sha256"]  # taken from the existing output
    third = convert([root], out, options=ConvertOptions(jobs=1, overwrite=True, previews=False))
    assert (third.converted, third.copied) == (first.converted, first.copied)
    assert dicom_files(out) == files


def test_resume_completes_the_rest_and_removes_leftovers(tmp_path, tree):
    root, _ = tree
    out = tmp_path / "out"
    convert([root], out, options=INLINE)
    complete = dicom_files(out)
    (out / "CT" / "IM2").unlink()
    (out / "SC" / "RGB").unlink()
    leftover = out / "CT" / f"{TEMP_PREFIX}1234-abcdef"
    leftover.write_bytes(b"half a file")
    summary = convert([root], out, options=INLINE)
    assert (summary.converted, summary.already_done) == (2, 7)
    assert not leftover.exists()
    assert dicom_files(out) == complete


def test_only_an_output_that_held_something_is_checked_for_earlier_files(tmp_path, monkeypatch):
    """A new or empty OUTPUT skips the per-file look for an earlier run's output."""
    from elscint_codec.converter import worker

    seen: list[tuple[bool, bool]] = []

    def spy(task, destination):
        found = real(task, destination)
        seen.append((task.new_output, found))
        return found

    real = worker.written_before
    monkeypatch.setattr(worker, "written_before", spy)
    elscint_file(tmp_path / "src" / "IM1", 1)
    elscint_file(tmp_path / "src" / "IM2", 2)
    out = tmp_path / "out"
    out.mkdir()  # empty: as new as a folder that does not exist
    assert convert([tmp_path / "src"], out, options=INLINE).converted == 2
    assert seen == [(True, False), (True, False)]
    seen.clear()
    (out / "IM2").unlink()
    again = convert([tmp_path / "src"], out, options=INLINE)
    assert (again.already_done, again.converted) == (1, 1)
    assert seen == [(False, True), (False, False)]


def test_written_before_looks_at_the_disk_unless_told_otherwise(tmp_path):
    from elscint_codec.converter.sources import Item
    from elscint_codec.converter.task import Task
    from elscint_codec.converter.worker import written_before

    (tmp_path / "IM1").write_bytes(b"x")
    task = Task(Item(str(tmp_path / "in"), None, ("in",), "in", 1), str(tmp_path))
    assert written_before(task, str(tmp_path / "IM1"))
    assert not written_before(task, str(tmp_path / "IM2"))
    assert not written_before(task._replace(overwrite=True), str(tmp_path / "IM1"))
    assert not written_before(task._replace(new_output=True), str(tmp_path / "IM1"))


def test_a_folder_is_new_or_empty_only_without_entries(tmp_path):
    from elscint_codec.converter.guard import is_new_or_empty

    assert is_new_or_empty(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert is_new_or_empty(tmp_path / "empty")
    (tmp_path / "empty" / ".hidden").write_bytes(b"")
    assert not is_new_or_empty(tmp_path / "empty")
    assert not is_new_or_empty(tmp_path / "empty" / ".hidden")  # a file, not a folder


def test_report_is_cumulative(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    elscint_file(first / "IM1", 1)
    elscint_file(second / "IM2", 2)
    out = tmp_path / "out"
    convert([first], out, options=INLINE)
    convert([second], out, options=INLINE)
    rows = report_rows(out)
    assert [Path(r["input"]).name for r in rows] == ["IM1", "IM2"]
    assert [r["status"] for r in rows] == ["converted", "converted"]
    convert([first], out, options=INLINE)
    rows = report_rows(out)
    assert sorted((Path(r["input"]).name, r["status"]) for r in rows) == [
        ("IM1", "already done"),
        ("IM2", "converted"),
    ]


def test_identical_duplicates_written_once(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "a" / "IM1", 5)
    (root / "b").mkdir()
    shutil.copy(root / "a" / "IM1", root / "b" / "b_copy")
    out = tmp_path / "out"
    summary = convert([root], out, options=INLINE)
    assert (summary.converted, summary.skipped, summary.duplicates) == (1, 1, 1)
    assert sorted(dicom_files(out)) == ["a/IM1"]
    rows = by_name(report_rows(out))
    assert rows["b/b_copy"]["status"] == "skipped"
    assert "duplicate" in rows["b/b_copy"]["reason"]
    assert rows["b/b_copy"]["output"] == "a/IM1"
    again = convert([root], out, options=INLINE)  # resume decides the same way
    assert (again.already_done, again.skipped, again.duplicates) == (1, 1, 1)
    assert sorted(dicom_files(out)) == ["a/IM1"]


@pytest.mark.parametrize("layout", ["mirror", "series"])
def test_different_files_with_one_uid_are_both_kept(tmp_path, layout):
    root = tmp_path / "src"
    shared = "2.25.1234567890"
    first = elscint_file(root / "x" / "IM1", 1, sop_instance_uid=shared, instance=1)
    second = elscint_file(root / "y" / "IM1", 2, sop_instance_uid=shared, instance=1)
    out = tmp_path / "out"
    options = ConvertOptions(jobs=1, layout=layout, previews=False)
    summary = convert([root], out, options=options)
    assert (summary.converted, summary.failed, summary.duplicates) == (2, 0, 0)
    files = dicom_files(out)
    assert len(files) == 2
    images = sorted(pydicom.dcmread(out / name).pixel_array.tobytes() for name in files)
    assert images == sorted([first.tobytes(), second.tobytes()])
    rows = report_rows(out)
    assert all("also used by a different file" in row["reason"] for row in rows)
    again = convert([root], out, options=options)
    assert again.already_done == 2
    assert dicom_files(out) == files


def test_parallel_run_gives_the_same_files_and_rows(tmp_path, tree):
    root, _ = tree
    inline = convert([root], tmp_path / "one", options=INLINE)
    parallel = convert([root], tmp_path / "two", options=ConvertOptions(jobs=2, previews=False))
    assert (parallel.converted, parallel.copied) == (inline.converted, inline.copied)
    assert dicom_files(tmp_path / "two") == dicom_files(tmp_path / "one")
    assert report_rows(tmp_path / "two") == report_rows(tmp_path / "one")


def test_progress_records_and_cancel(tmp_path, tree):
    root, _ = tree
    seen: list[Progress] = []
    stop = threading.Event()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        if progress.status == "converted":
            stop.set()

    summary = convert([root], tmp_path / "out", options=INLINE, on_progress=on_progress,
                      cancel=stop)  # fmt: skip
    assert summary.interrupted
    assert summary.exit_code == 130
    assert summary.converted == 1
    assert [p.done for p in seen] == list(range(1, len(seen) + 1))
    assert all(p.total == 11 for p in seen)
    assert (tmp_path / "out" / "elscint-report.csv").exists()
    rest = convert([root], tmp_path / "out", options=INLINE)
    assert (rest.already_done, rest.converted + rest.copied) == (1, 8)


def test_dry_run_writes_nothing(tmp_path, tree):
    root, _ = tree
    seen: list[Progress] = []
    summary = convert([root], tmp_path / "out", options=ConvertOptions(jobs=1, dry_run=True),
                      on_progress=seen.append)  # fmt: skip
    assert not (tmp_path / "out").exists()
    assert (summary.converted, summary.copied, summary.skipped) == (8, 1, 2)
    planned = {Path(p.path).name: (p.status, p.output) for p in seen}
    assert planned["IM1"][0] in ("converted", "copied")
    assert planned["RGB"] == ("converted", "SC/RGB")
    assert summary.line().startswith("dry run: would have converted 8")


def test_output_inside_source_and_overlaps_are_refused(tmp_path, tree):
    root, _ = tree
    with pytest.raises(ValueError, match="inside SOURCE"):
        convert([root], root / "converted", options=INLINE)
    with pytest.raises(ValueError, match="inside SOURCE"):
        convert([root], root, options=INLINE)
    with pytest.raises(ValueError, match="inside OUTPUT"):
        convert([root], tmp_path, options=INLINE)
    with pytest.raises(ValueError, match="overlaps"):
        convert([root, root / "CT"], tmp_path / "out", options=INLINE)
    with pytest.raises(ValueError, match="does not exist"):
        convert([tmp_path / "nope"], tmp_path / "out", options=INLINE)
    assert not (root / "converted").exists()


def test_standard_files_skipped_with_only_elscint(tmp_path, tree):
    root, _ = tree
    summary = convert([root], tmp_path / "out",
                      options=ConvertOptions(jobs=1, only_elscint=True, previews=False))  # fmt: skip
    assert (summary.converted, summary.copied, summary.skipped) == (8, 0, 3)
    assert "std/IM1" not in dicom_files(tmp_path / "out")


def test_standard_file_with_stale_private_stream_is_copied(tmp_path):
    source = tmp_path / "src" / "IM1"
    standard_file(source, 4)
    data = source.read_bytes()
    out = tmp_path / "out"
    summary = convert([tmp_path / "src"], out, options=INLINE)
    assert summary.copied == 1
    assert (out / "IM1").read_bytes() == data


def test_pixel_values_match_the_codec(tmp_path):
    image = elscint_file(tmp_path / "src" / "IM1", 9, rows=40, columns=33)
    convert([tmp_path / "src"], tmp_path / "out", options=INLINE)
    np.testing.assert_array_equal(pydicom.dcmread(tmp_path / "out" / "IM1").pixel_array, image)


def test_permissions_of_outputs_follow_umask(tmp_path):
    elscint_file(tmp_path / "src" / "IM1", 1)
    convert([tmp_path / "src"], tmp_path / "out", options=INLINE)
    mode = (tmp_path / "out" / "IM1").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_top_level_convert_is_the_engine_function(tmp_path):
    import elscint_codec

    elscint_file(tmp_path / "src" / "IM1", 1)
    summary = elscint_codec.convert([tmp_path / "src"], tmp_path / "out", options=INLINE)
    assert isinstance(summary, elscint_codec.Summary)
    assert summary.converted == 1
