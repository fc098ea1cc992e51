"""The ``elscint`` command line: parsing, help, exit codes, info, demo."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import subprocess
import sys

import numpy
import pydicom
import pytest

import elscint_codec
from convert_builders import dicom_files, elscint_dataset, elscint_file, make_tree, write
from elscint_codec.cli import build_parser, main


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_version(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    for part in (elscint_codec.__version__, pydicom.__version__, numpy.__version__):
        assert part in out
    assert "Python 3." in out


def test_no_command_and_bad_options_are_usage_errors(capsys):
    assert main([]) == 2
    assert main(["convert", "somewhere"]) == 2  # no -o
    assert main(["convert", "a", "-o", "b", "-j", "0"]) == 2
    assert main(["frobnicate"]) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["convert", "info", "demo"])
def test_help_shows_every_default_and_examples(capsys, command):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text
    parser = _subparsers(build_parser())[command]
    for action in parser._actions:
        if not action.option_strings or action.dest in ("help",) or action.required:
            continue
        help_text = parser.formatter_class("x")._get_help_string(action)
        assert "(default" in help_text, action.option_strings


@pytest.mark.parametrize("columns", ["100", "37", "", "junk", "-5"])
def test_help_width_is_the_one_argparse_would_use(monkeypatch, columns):
    import shutil

    from elscint_codec.cli import Formatter

    monkeypatch.setenv("COLUMNS", columns)
    expected = argparse.HelpFormatter("elscint")._width  # argparse's own (via shutil)
    assert Formatter("elscint")._width == expected == shutil.get_terminal_size().columns - 2


def test_all_subcommands_present():
    names = set(_subparsers(build_parser()))
    assert {"convert", "info", "demo"} <= names


def test_convert_exit_codes(tmp_path, capsys, monkeypatch):
    source = tmp_path / "src"
    make_tree(source)
    out = tmp_path / "out"
    assert main(["convert", str(source), "-o", str(out), "-j", "1"]) == 0
    text = capsys.readouterr().out
    assert "converted 8, copied 1, skipped 2, failed 0 in" in text
    assert f"report: {out / 'elscint-report.csv'}" in text
    (source / "broken").write_bytes((source / "CT" / "IM1").read_bytes()[:-300])
    assert main(["convert", str(source), "-o", str(out), "-j", "1"]) == 1
    assert "already done 9" in capsys.readouterr().out
    assert main(["convert", str(source), "-o", str(source / "inside"), "-j", "1"]) == 2
    assert "inside SOURCE" in capsys.readouterr().err
    assert not (source / "inside").exists()
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).startswith(str(tmp_path / "ro")) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    (tmp_path / "ro").mkdir()
    assert main(["convert", str(source), "-o", str(tmp_path / "ro"), "-j", "1"]) == 3
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_convert_quiet_log_and_dry_run(tmp_path, capsys):
    source = tmp_path / "src"
    elscint_file(source / "IM1", 1)
    (source / "readme.txt").write_text("x", encoding="utf-8")
    out, log = tmp_path / "out", tmp_path / "run.log"
    assert main(["convert", str(source), "-o", str(out), "--dry-run", "-j", "1"]) == 0
    plan = capsys.readouterr().out
    assert f"convert      {source / 'IM1'} -> IM1" in plan
    assert "skip" in plan
    assert "readme.txt" in plan
    assert not out.exists()
    assert main(["convert", str(source), "-o", str(out), "-q", "-j", "1", "--log", str(log)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    logged = log.read_text(encoding="utf-8")
    assert f"converted: {source / 'IM1'} -> IM1" in logged
    assert "readme.txt" in logged
    assert "elscint-codec" in logged  # versions at the top


def test_convert_layout_series_and_verify_flags(tmp_path, capsys):
    source = tmp_path / "src"
    elscint_file(source / "IM1", 1)
    out = tmp_path / "out"
    args = ["convert", str(source), "-o", str(out), "--layout", "series", "--verify", "-j", "1"]
    assert main(args) == 0
    (name,) = dicom_files(out)
    assert name.startswith("DOE JOHN (PID1)/")


def test_info(tmp_path, capsys):
    source = tmp_path / "src"
    make_tree(source)
    assert main(["info", str(source), "-j", "1"]) == 0
    text = capsys.readouterr().out
    assert "11 file(s) looked at" in text
    counts = dict(re.findall(r"^  ([\w ]+):\s+(\d+)$", text, re.MULTILINE))
    assert counts == {
        "Elscint compressed": "8", "standard DICOM": "1", "DICOMDIR": "1", "not DICOM": "1"
    }  # fmt: skip
    assert "PMSCT_RGB1 1, PMSCT_RLE1 7" in text
    assert "DOE^JOHN (PID1)" in text
    assert "CT 7: 4 file(s), 4 Elscint" in text
    assert not list(source.rglob("*.csv"))
    ds, _ = elscint_dataset(50)
    ds.NumberOfFrames = 3
    write(ds, source / "multi")
    ds, _ = elscint_dataset(51)
    ds.private_block(0x07A1, "ELSCINT1")[0x11].value = "PMSCT_NEW"
    write(ds, source / "newtype")
    assert main(["info", str(source), "-j", "1", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["kinds"]["unsupported"] == 2
    reasons = " ".join(p["reason"] for p in document["problems"])
    assert "multi-frame image" in reasons
    assert "unknown compression type 'PMSCT_NEW'" in reasons
    assert main(["info", str(tmp_path / "missing")]) == 2


def test_demo(tmp_path, capsys):
    folder = tmp_path / "demo"
    assert main(["demo", str(folder), "--ct-slices", "2", "--pet-slices", "2", "-j", "1"]) == 0
    text = capsys.readouterr().out
    assert "converted 5, copied 0, skipped 0, failed 0" in text
    assert str(folder / "output") in text
    assert len(dicom_files(folder / "output")) == 5
    assert len(list((folder / "output" / "previews").glob("*.png"))) == 3
    assert main(["demo", str(folder), "--ct-slices", "2", "--pet-slices", "2", "-j", "1"]) == 0


def test_python_dash_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "elscint_codec", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith(f"elscint-codec {elscint_codec.__version__}")


def test_the_console_command_freezes_start_up_objects(monkeypatch, capsys):
    import gc

    from elscint_codec.cli import command

    monkeypatch.setattr(sys, "argv", ["elscint", "--version"])
    try:
        assert command() == 0
        assert gc.get_freeze_count() > 1000  # the modules, classes and functions loaded
    finally:
        gc.unfreeze()
    assert capsys.readouterr().out.startswith("elscint-codec ")


def test_progress_display_plain_lines_and_bar():
    import io

    from elscint_codec.converter import Progress
    from elscint_codec.converter.progress import ProgressDisplay

    stream = io.StringIO()
    display = ProgressDisplay(stream, bar=False, interval=0)
    display(Progress(1, 3, "a", "converted"))
    display(Progress(2, 3, "b", "failed"))
    display.close()
    assert stream.getvalue().splitlines() == [
        "1/3 files: converted 1",
        "2/3 files: converted 1, failed 1",
    ]
    stream = io.StringIO()
    display = ProgressDisplay(stream, bar=True)
    for done in (1, 2, 3):
        display(Progress(done, 3, "x", "converted"))
    display.close()
    assert "3/3" in stream.getvalue()
