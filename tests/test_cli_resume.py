"""A killed or interrupted run resumes to exactly the files of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from convert_builders import dicom_files, elscint_file, report_rows
from elscint_codec.converter import ConvertOptions, convert
from elscint_codec.converter.writer import TEMP_PREFIX

FILES = 200


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("resume") / "src"
    for index in range(FILES):
        series = index // 50
        elscint_file(root / f"S{series}" / f"IM{index:03d}", index, rows=128, columns=128,
                     series=f"s{series}")  # fmt: skip
    (root / "notes.txt").write_text("not DICOM", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reference(source, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    summary = convert([source], out, options=ConvertOptions(jobs=1, previews=False))
    assert summary.converted == FILES
    return dicom_files(out)


def _start(source: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "elscint_codec", "convert", str(source), "-o", str(out),
               "-j", "1", "--no-previews", *extra]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_outputs(process: subprocess.Popen[str], out: Path, count: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        written = sum(
            1 for p in out.rglob("IM*") if p.is_file() and not p.name.startswith(TEMP_PREFIX)
        )
        if written >= count:
            return written
        if process.poll() is not None:
            stdout, stderr = process.communicate()
            raise AssertionError(f"the run ended before it could be stopped: {stdout} {stderr}")
        time.sleep(0.005)
    raise AssertionError("no progress within 60 s")


def test_kill_9_then_rerun_gives_the_uninterrupted_result(source, reference, tmp_path):
    out = tmp_path / "out"
    process = _start(source, out)
    _wait_for_outputs(process, out, 40)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    partial = dicom_files(out)
    assert 40 <= len(partial) < FILES  # killed in the middle
    for name, data in partial.items():  # whatever is under a final name is complete
        assert data == reference[name]
    rerun = _start(source, out)
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    assert f"already done {len(partial)}" in stdout
    assert dicom_files(out) == reference
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    rows = report_rows(out)
    assert len(rows) == FILES + 1
    assert {row["status"] for row in rows} == {"converted", "already done", "skipped"}


def test_ctrl_c_stops_cleanly_with_a_summary(source, reference, tmp_path):
    out = tmp_path / "out"
    process = _start(source, out)
    _wait_for_outputs(process, out, 40)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, (stdout, stderr)
    assert "(interrupted)" in stdout, (stdout, stderr)
    assert "run the same command again" in stdout
    done = dicom_files(out)
    assert len(done) < FILES, (stdout, stderr)
    assert len(report_rows(out)) >= len(done)  # the report covers what was done
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    rerun = _start(source, out, "-q")
    rerun.communicate(timeout=120)
    assert rerun.returncode == 0
    assert dicom_files(out) == reference
