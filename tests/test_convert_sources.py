"""Sources (folders, zips, links) and safe output paths (no traversal through names)."""

from __future__ import annotations

import os
import warnings
import zipfile
from pathlib import Path

import pydicom
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convert_builders import (
    dicom_files,
    elscint_dataset,
    elscint_file,
    report_rows,
    write,
)
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.converter.layout import MAX_COMPONENT, safe_component, safe_relative
from elscint_codec.converter.sources import Item, Problem, iter_sources, plan_roots

INLINE = ConvertOptions(jobs=1, previews=False)
SERIES = ConvertOptions(jobs=1, previews=False, layout="series")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}  # fmt: skip


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def test_zip_is_read_in_place_and_member_names_are_sanitised(tmp_path):
    staging = tmp_path / "staging"
    elscint_file(staging / "IM1", 1)
    elscint_file(staging / "IM2", 2)
    archive = tmp_path / "study.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(staging / "IM1", "DICOM/S1/IM1")
        bundle.write(staging / "IM2", "../../../evil/IM2")  # zip-slip attempt
        bundle.writestr("/etc/passwd_like", b"not dicom")
        bundle.writestr("DICOM/", b"")
    before = set(tmp_path.rglob("*"))
    out = tmp_path / "out"
    summary = convert([archive], out, options=INLINE)
    assert (summary.converted, summary.skipped, summary.failed) == (2, 1, 0)
    assert sorted(dicom_files(out)) == ["study/DICOM/S1/IM1", "study/evil/IM2"]
    new = set(tmp_path.rglob("*")) - before
    assert all(_inside(out, path) for path in new)  # nothing extracted next to the zip
    rows = {row["input"].split("!/")[-1]: row for row in report_rows(out)}
    assert rows["../../../evil/IM2"]["output"] == "study/evil/IM2"
    assert rows["/etc/passwd_like"]["status"] == "skipped"
    assert all(row["input"].startswith(str(archive.resolve()) + "!/") for row in rows.values())


def test_zip_inside_a_folder_and_a_damaged_member(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "IM0", 0)
    elscint_file(tmp_path / "IM1", 1)
    with zipfile.ZipFile(root / "cd.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(tmp_path / "IM1", "IM1")
        bundle.writestr("IM2", (tmp_path / "IM1").read_bytes())
    data = bytearray((root / "cd.zip").read_bytes())
    info = zipfile.ZipFile(root / "cd.zip").getinfo("IM2")
    data[info.header_offset + 60] ^= 0xFF  # damage IM2's compressed bytes
    (root / "cd.zip").write_bytes(bytes(data))
    summary = convert([root], tmp_path / "out", options=INLINE)
    assert summary.converted >= 2
    assert "cd/IM1" in dicom_files(tmp_path / "out")
    failed = [r for r in report_rows(tmp_path / "out") if r["status"] == "failed"]
    assert [r["input"].endswith("cd.zip!/IM2") for r in failed] == [True]
    assert "zip archive" in failed[0]["reason"]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc",
        "..",
        ".",
        "CON",
        "con.txt",
        "LPT1",
        "a/b/c",
        "a\\b\\c",
        "x\0y",
        "\0",
        "A" * 400,
        "/abs/olute",
        "trailing. ",
        "ÆØÅ^Ωμέγα",
    ],
)
def test_header_values_cannot_escape_output(tmp_path, name):
    with warnings.catch_warnings():  # pydicom warns about over-long values: we want them
        warnings.simplefilter("ignore")
        ds, _ = elscint_dataset(1, patient=name, patient_id=name)
        ds.StudyDescription = name
        ds.SeriesDescription = name
        ds.SpecificCharacterSet = "ISO_IR 192"
        write(ds, tmp_path / "src" / "IM1")
    out = tmp_path / "out"
    summary = convert([tmp_path / "src"], out, options=SERIES)
    assert summary.converted == 1, report_rows(out)
    (written,) = dicom_files(out)
    path = out / written
    assert _inside(out, path)
    parts = Path(written).parts
    assert len(parts) == 4
    for part in parts:
        assert part not in ("", ".", "..")
        assert not set(part) & {"/", "\\", "\0"}
        assert len(part) <= MAX_COMPONENT
        assert part.split(".")[0].upper() not in _WINDOWS_RESERVED
        assert part == part.strip(" .")
    raw_in = pydicom.dcmread(tmp_path / "src" / "IM1").get_item(0x00100010).value
    assert pydicom.dcmread(path).get_item(0x00100010).value == raw_in  # value untouched


@given(st.text(max_size=300))
def test_safe_component_is_always_one_harmless_name(value):
    name = safe_component(value)
    assert name not in ("", ".", "..")
    assert not set(name) & set('/\\:*?"<>|\0')
    assert all(ch.isprintable() for ch in name)
    assert len(name) <= MAX_COMPONENT
    assert len(name.encode("utf-8")) <= 160
    assert name == name.strip(" .")
    assert name.split(".")[0].upper() not in _WINDOWS_RESERVED
    assert safe_component(name) == name  # stable: re-running gives the same paths


@given(st.lists(st.text(max_size=40), max_size=8))
def test_safe_relative_never_climbs(parts):
    relative = safe_relative(parts)
    joined = Path("/root", *relative)
    assert joined.resolve().is_relative_to(Path("/root"))


def test_long_names_stay_different():
    first, second = "A" * 300 + "1", "A" * 300 + "2"
    assert safe_component(first) != safe_component(second)
    assert safe_component("x" * 200 + ".dcm").endswith(".dcm")


def test_symlink_loops_are_reported_not_followed(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "a" / "IM1", 1)
    os.symlink(root, root / "a" / "loop")
    os.symlink(root / "missing", root / "broken")
    elsewhere = tmp_path / "elsewhere"
    elscint_file(elsewhere / "IM9", 9, series="x")
    os.symlink(elsewhere, root / "linked")
    found = list(iter_sources(plan_roots([root])))
    items = sorted("/".join(f.relative) for f in found if isinstance(f, Item))
    problems = {Path(f.display).name: f.reason for f in found if isinstance(f, Problem)}
    assert items == ["a/IM1", "linked/IM9"]
    assert "loop" in problems["loop"]
    assert "broken" in problems["broken"]
    summary = convert([root], tmp_path / "out", options=INLINE)
    assert (summary.converted, summary.skipped) == (2, 2)


def test_walk_order_is_sorted_and_lazy(tmp_path):
    root = tmp_path / "src"
    for name in ["b/2", "a/1", "c", "a/0"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    walk = iter_sources(plan_roots([root]))
    assert "/".join(next(walk).relative) == "c"  # a generator: nothing listed up front
    assert ["/".join(f.relative) for f in walk] == ["a/0", "a/1", "b/2"]


def test_case_collisions_get_distinct_names(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    elscint_file(root / "im1", 2)
    out = tmp_path / "out"
    summary = convert([root], out, options=INLINE)
    assert summary.converted == 2
    assert sorted(dicom_files(out)) == ["IM1", "im1~2"]
    again = convert([root], out, options=INLINE)
    assert again.already_done == 2
    assert sorted(dicom_files(out)) == ["IM1", "im1~2"]
