"""The report files and the previews."""

from __future__ import annotations

import csv
import json

import numpy as np
import pydicom
from PIL import Image

from convert_builders import elscint_file, make_tree, report_rows
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.converter.options import STATUSES
from elscint_codec.converter.previews import CT_WINDOW, PREVIEW_FOLDER

COLUMNS = [
    "input",
    "output",
    "status",
    "reason",
    "sop_instance_uid",
    "compression_type",
    "pixel_sha256",
]


def _png(path):
    with Image.open(path) as image:
        return np.asarray(image)


def test_csv_and_json_have_the_same_rows(tmp_path):
    make_tree(tmp_path / "src")
    out = tmp_path / "out"
    convert([tmp_path / "src"], out, options=ConvertOptions(jobs=1, previews=False))
    raw = (out / "elscint-report.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so spreadsheets read it right
    with open(out / "elscint-report.csv", encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        assert next(reader) == COLUMNS
    rows = report_rows(out)
    document = json.loads((out / "elscint-report.json").read_text(encoding="utf-8"))
    assert document["columns"] == COLUMNS
    assert len(document["files"]) == len(rows) == 11
    for row, entry in zip(rows, document["files"], strict=True):
        assert {k: v or "" for k, v in entry.items()} == row
    assert {row["status"] for row in rows} <= set(STATUSES)
    assert document["counts"] == {"converted": 8, "copied": 1, "skipped": 2}
    converted = [row for row in rows if row["status"] == "converted"]
    assert all(len(row["pixel_sha256"]) == 64 for row in converted)
    assert all(row["sop_instance_uid"] for row in converted)


def test_report_rows_of_an_interrupted_run_are_kept(tmp_path):
    for index in range(3):
        elscint_file(tmp_path / "src" / f"IM{index}", index)
    out = tmp_path / "out"
    convert([tmp_path / "src"], out, options=ConvertOptions(jobs=1, previews=False))
    (tmp_path / "src" / "IM1").unlink()  # gone from the source since
    convert([tmp_path / "src"], out, options=ConvertOptions(jobs=1, previews=False))
    rows = {row["input"].rsplit("/", 1)[-1]: row["status"] for row in report_rows(out)}
    assert rows == {"IM0": "already done", "IM1": "converted", "IM2": "already done"}


def test_previews_exist_and_look_sane(tmp_path):
    make_tree(tmp_path / "src")
    out = tmp_path / "out"
    summary = convert([tmp_path / "src"], out, options=ConvertOptions(jobs=1))
    previews = sorted((out / PREVIEW_FOLDER).glob("*.png"))
    assert len(previews) == 3  # CT, PT, SC: standard files get none
    assert sorted(summary.previews) == previews
    by_modality = {p.name.split(" ")[1]: p for p in previews}
    ct = _png(by_modality["CT"])
    middle = pydicom.dcmread(out / "CT" / "IM2")  # 4 slices by position: the 2nd is the middle
    assert ct.shape == middle.pixel_array.shape
    level, width = CT_WINDOW
    hounsfield = middle.pixel_array.astype(float) - 1024
    expected = np.clip((hounsfield - (level - width / 2)) / width, 0, 1) * 255
    np.testing.assert_allclose(ct, np.round(expected), atol=1)
    pet = _png(by_modality["PT"])
    assert pet.dtype == np.uint8
    assert pet.std() > 0
    assert pet.min() == 0  # inverted: the hottest pixels are black
    rgb = _png(by_modality["OT"])
    np.testing.assert_array_equal(rgb, pydicom.dcmread(out / "SC" / "RGB").pixel_array)


def test_previews_are_skipped_without_pillow(tmp_path, monkeypatch):
    from elscint_codec.converter import previews

    elscint_file(tmp_path / "src" / "IM1", 1)
    monkeypatch.setattr(previews, "have_pillow", lambda: False)
    summary = convert([tmp_path / "src"], tmp_path / "out", options=ConvertOptions(jobs=1))
    assert summary.converted == 1
    assert summary.previews == []
    assert any("Pillow" in note for note in summary.notes)
    assert not (tmp_path / "out" / PREVIEW_FOLDER).exists()


def test_previews_in_worker_processes(tmp_path):
    """With -j 2 previews are made by worker processes, to the same bytes as inline."""
    for index in range(3):
        elscint_file(tmp_path / "src" / f"IM{index}", index)
    inline = convert([tmp_path / "src"], tmp_path / "one", options=ConvertOptions(jobs=1))
    pooled = convert([tmp_path / "src"], tmp_path / "two", options=ConvertOptions(jobs=2))
    assert len(pooled.previews) == len(inline.previews) == 1
    assert pooled.previews[0].read_bytes() == inline.previews[0].read_bytes()
    with Image.open(pooled.previews[0]) as image:
        assert image.size == (12, 16)
