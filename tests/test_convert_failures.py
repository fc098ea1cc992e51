"""Bad input never stops the batch; output problems stop it clearly; --verify catches damage."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pydicom
import pytest

from convert_builders import (
    by_name,
    dicom_files,
    double_or_die,
    elscint_dataset,
    elscint_file,
    make_tree,
    report_rows,
    write,
)
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.converter import worker as worker_module
from elscint_codec.converter.pool import OrderedPool
from elscint_codec.converter.scan import parse
from elscint_codec.converter.writer import TEMP_PREFIX

INLINE = ConvertOptions(jobs=1, previews=False)


def _bad_inputs(root: Path) -> None:
    elscint_file(root / "good" / "IM1", 1)
    data = (root / "good" / "IM1").read_bytes()
    (root / "truncated").write_bytes(data[: len(data) - 200])
    ds, _ = elscint_dataset(2)
    block = ds.private_block(0x07A1, "ELSCINT1")
    stream = block[0x0A].value
    block[0x0A].value = stream[: len(stream) // 4 * 2]
    write(ds, root / "short_stream")
    ds, _ = elscint_dataset(3)
    ds.NumberOfFrames = 2
    write(ds, root / "multiframe")
    ds, _ = elscint_dataset(4)
    ds.BitsAllocated = 8
    write(ds, root / "eight_bit")
    ds, _ = elscint_dataset(5)
    ds.private_block(0x07A1, "ELSCINT1")[0x11].value = "PMSCT_XYZ"
    write(ds, root / "unknown_type")
    ds, _ = elscint_dataset(6)
    ds.private_block(0x07A1, "ELSCINT1")[0x11].value = "PMSCT_RGB1"
    write(ds, root / "contradiction")
    ds, _ = elscint_dataset(7)
    del ds[0x07A1100A]
    write(ds, root / "no_stream")
    (root / "empty").write_bytes(b"")
    (root / "garbage.bin").write_bytes(bytes(range(256)) * 4)


def test_bad_inputs_are_reported_and_the_batch_goes_on(tmp_path):
    root = tmp_path / "src"
    _bad_inputs(root)
    out = tmp_path / "out"
    summary = convert([root], out, options=INLINE)
    assert summary.exit_code == 1
    assert (summary.converted, summary.failed, summary.skipped) == (1, 7, 2)
    assert sorted(dicom_files(out)) == ["good/IM1"]
    rows = {Path(r["input"]).name: r for r in report_rows(out)}
    expected = {
        "truncated": ("failed", "the file is truncated"),
        "short_stream": ("failed", "damaged compressed image: PMSCT_RLE1 stream truncated"),
        "multiframe": ("failed", "unsupported: multi-frame image"),
        "eight_bit": ("failed", "unsupported: PMSCT_RLE1 image with (0028,0100) Bits Allocated"),
        "unknown_type": ("failed", "unsupported: unknown compression type 'PMSCT_XYZ'"),
        "contradiction": ("failed", "says 'PMSCT_RGB1' but (0028,0002) Samples per Pixel is 1"),
        "no_stream": ("failed", "there is no compressed pixel stream"),
        "empty": ("skipped", "empty file"),
        "garbage.bin": ("skipped", "not a DICOM file"),
    }
    for name, (status, words) in expected.items():
        assert rows[name]["status"] == status, name
        assert words in rows[name]["reason"], (name, rows[name]["reason"])
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))


def test_bad_inputs_in_worker_processes(tmp_path):
    root = tmp_path / "src"
    _bad_inputs(root)
    summary = convert([root], tmp_path / "out", options=ConvertOptions(jobs=2, previews=False))
    assert (summary.converted, summary.failed, summary.skipped) == (1, 7, 2)


def _refuse_writes(monkeypatch, output: Path, code: int, after: int = 0) -> None:
    real_open = os.open
    calls = {"n": 0}

    def fake_open(path, flags, *args, **kwargs):
        temporary = Path(path).name.startswith(TEMP_PREFIX)
        if str(path).startswith(str(output)) and flags & os.O_CREAT and temporary:
            calls["n"] += 1
            if calls["n"] > after:
                raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def test_read_only_output_is_fatal(tmp_path, monkeypatch):
    root = tmp_path / "src"
    make_tree(root)
    out = tmp_path / "out"
    out.mkdir()
    _refuse_writes(monkeypatch, out, errno.EROFS)
    summary = convert([root], out, options=INLINE)
    assert summary.exit_code == 3
    assert "cannot write to the output folder" in summary.fatal
    assert summary.converted == 0
    assert list(out.iterdir()) == []


def test_disk_full_in_the_middle_stops_the_run(tmp_path, monkeypatch):
    root = tmp_path / "src"
    make_tree(root)
    out = tmp_path / "out"
    _refuse_writes(monkeypatch, out, errno.ENOSPC, after=3)  # the probe, then two files
    summary = convert([root], out, options=INLINE)
    assert summary.exit_code == 3
    assert "the disk is full" in summary.fatal
    assert summary.converted == 2
    assert summary.failed == 1
    assert len(dicom_files(out)) == 2
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    monkeypatch.undo()
    rest = convert([root], out, options=INLINE)  # space again: resume
    assert rest.exit_code == 0
    assert len(dicom_files(out)) == 9


def test_verify_catches_a_tampered_output_on_rerun(tmp_path):
    root = tmp_path / "src"
    make_tree(root)
    out = tmp_path / "out"
    convert([root], out, options=ConvertOptions(jobs=1, verify=True, previews=False))
    target = out / "CT" / "IM2"
    data = bytearray(target.read_bytes())
    pixels = pydicom.dcmread(target).get_item(0x7FE00010)
    data[pixels.value_tell + 7] ^= 0x40  # one pixel
    target.write_bytes(bytes(data))
    plain = convert([root], out, options=INLINE)
    assert plain.exit_code == 0  # without --verify, existing outputs are trusted
    checked = convert([root], out, options=ConvertOptions(jobs=1, verify=True, previews=False))
    assert checked.exit_code == 1
    row = by_name(report_rows(out))["CT/IM2"]
    assert row["status"] == "failed"
    assert "verification failed" in row["reason"]
    assert target.read_bytes() == bytes(data)  # reported, not silently replaced
    redo = convert([root], out, options=ConvertOptions(jobs=1, verify=True, overwrite=True))
    assert redo.exit_code == 0
    assert target.read_bytes() != bytes(data)


def test_verify_catches_a_bad_write(tmp_path, monkeypatch):
    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    elscint_file(root / "IM2", 2)
    real = worker_module.write_temp

    def damaging_write(directory, pieces, **kwargs):
        damaged = bytearray(b"".join(bytes(piece) for piece in pieces))
        pixel_data = parse(bytes(damaged)).find(0x7FE00010)
        damaged[pixel_data.value_start + 10] ^= 1  # one bit of the image
        return real(directory, [bytes(damaged)], **kwargs)

    monkeypatch.setattr(worker_module, "write_temp", damaging_write)
    out = tmp_path / "out"
    summary = convert([root], out, options=ConvertOptions(jobs=1, verify=True, previews=False))
    assert (summary.converted, summary.failed) == (0, 2)
    rows = report_rows(out)
    assert all("verification failed" in row["reason"] for row in rows)
    assert all("SHA-256 mismatch" in row["reason"] for row in rows)
    assert dicom_files(out) == {}
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    unverified = convert([root], tmp_path / "out2", options=INLINE)
    assert unverified.converted == 2  # the same damage passes unnoticed without --verify


def test_free_space_is_read_as_shutil_reads_it(tmp_path):
    import shutil

    from elscint_codec.converter.guard import _free_bytes

    # Other processes write meanwhile: equal within 64 MB.
    assert abs(_free_bytes(tmp_path) - shutil.disk_usage(tmp_path).free) < 64 << 20


def test_not_enough_space_is_refused_before_starting(tmp_path, monkeypatch):
    import types

    root = tmp_path / "src"
    make_tree(root)
    full = types.SimpleNamespace(f_bavail=1, f_frsize=1000)  # 1000 bytes free
    monkeypatch.setattr(os, "statvfs", lambda path: full)
    summary = convert([root], tmp_path / "out", options=INLINE)
    assert summary.exit_code == 3
    assert "not enough free space" in summary.fatal
    assert dicom_files(tmp_path / "out") == {}
    forced = convert([root], tmp_path / "out",
                     options=ConvertOptions(jobs=1, space_check=False, previews=False))  # fmt: skip
    assert forced.exit_code == 0


def test_a_second_run_on_the_same_output_is_refused_while_one_runs(tmp_path):
    import fcntl

    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".elscint-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        summary = convert([root], out, options=INLINE)
    assert summary.exit_code == 3
    assert "another conversion" in summary.fatal
    assert convert([root], out, options=INLINE).exit_code == 0


def test_pool_survives_a_dying_worker():
    pool = OrderedPool(double_or_die, 2, crashed=lambda task: f"{task}: crashed")
    results = []
    try:
        for task in ["a", "b", "die", "c", "d", "e"]:
            results.extend(result for _, result in pool.put(task))
        results.extend(result for _, result in pool.drain())
    finally:
        pool.close()
    assert results == ["aa", "bb", "die: crashed", "cc", "dd", "ee"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_pool_keeps_order(jobs):
    pool = OrderedPool(double_or_die, jobs, crashed=str)
    try:
        got = [r for t in "abcdefg" for _, r in pool.put(t)] + [r for _, r in pool.drain()]
    finally:
        pool.close()
    assert got == [c * 2 for c in "abcdefg"]


def test_damaged_existing_output_is_reported_not_trusted(tmp_path):
    root = tmp_path / "src"
    elscint_file(root / "IM1", 1)
    elscint_file(root / "IM2", 2)
    out = tmp_path / "out"
    convert([root], out, options=INLINE)
    data = (out / "IM1").read_bytes()
    (out / "IM1").write_bytes(data[: len(data) // 2])  # e.g. a bad copy onto a USB stick
    (out / "IM2").write_text("not DICOM any more", encoding="utf-8")
    summary = convert([root], out, options=INLINE)
    assert summary.failed == 2
    rows = {Path(r["input"]).name: r["reason"] for r in report_rows(out)}
    assert "exists but is damaged" in rows["IM1"]
    assert "exists but is not a DICOM file" in rows["IM2"]
    assert convert([root], out, options=ConvertOptions(jobs=1, overwrite=True)).exit_code == 0
