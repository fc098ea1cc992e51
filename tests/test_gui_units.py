"""The desktop window's parts that need no display: settings, folder rules, messages, start-up."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elscint_codec.gui import settings
from elscint_codec.gui.messages import (
    ChoiceError,
    plain_message,
    record_error,
    start_logging,
    stop_logging,
    time_left,
)
from elscint_codec.gui.paths import check_choices, default_output, is_inside

# -- settings ---------------------------------------------------------------------------------


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG applies to Linux and BSD")
def test_config_dir_follows_xdg_and_ignores_a_relative_value(config_home, monkeypatch):
    assert settings.settings_path() == config_home / "elscint-codec" / "gui.json"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    assert settings.config_dir() == Path.home() / ".config" / "elscint-codec"


def test_missing_file_gives_the_safe_defaults(config_home):
    loaded = settings.load()
    assert loaded == settings.Settings()
    assert (loaded.verify, loaded.overwrite, loaded.deidentify) == (True, False, False)
    assert not config_home.exists()


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(
    inputs=st.lists(names, max_size=4),
    output=names,
    flags=st.lists(st.booleans(), min_size=6, max_size=6),
    jobs=st.integers(0, 64),
    layout=st.sampled_from(sorted(settings.LAYOUTS)),
)
def test_settings_round_trip(tmp_path_factory, inputs, output, flags, jobs, layout):
    path = tmp_path_factory.mktemp("cfg") / "gui.json"
    value = settings.Settings(
        inputs=tuple(inputs),
        output=output,
        output_auto=flags[0],
        deidentify=flags[1],
        suv_report=flags[2],
        only_elscint=flags[3],
        verify=flags[4],
        overwrite=flags[5],
        jobs=jobs,
        layout=layout,
    )
    assert settings.save(value, path) == path
    assert settings.load(path) == value
    assert [p.name for p in path.parent.iterdir()] == ["gui.json"]  # no temporary file left


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", '"text"', "\xff\xfe"])
def test_damaged_file_gives_defaults(config_home, text):
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("latin-1"))
    assert settings.load() == settings.Settings()


def test_bad_values_fall_back_one_by_one_and_unknown_keys_survive(config_home):
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    data = {
        "version": 1,
        "output": "/data/out",
        "verify": "yes",
        "jobs": -3,
        "layout": "spiral",
        "inputs": ["/a", 7],
        "deidentify": True,
        "from_the_future": {"x": 1},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = settings.load()
    assert loaded.output == "/data/out"
    assert loaded.deidentify is True
    assert (loaded.verify, loaded.jobs, loaded.layout, loaded.inputs) == (True, 0, "mirror", ())
    settings.save(loaded)
    assert json.loads(path.read_text(encoding="utf-8"))["from_the_future"] == {"x": 1}


# -- folders ----------------------------------------------------------------------------------


def test_default_output_sits_beside_a_folder_or_zip(tmp_path):
    study = tmp_path / "gemini"
    study.mkdir()
    archive = tmp_path / "scan.ZIP"
    archive.write_bytes(b"PK")
    assert default_output([study]) == tmp_path / "gemini-converted"
    assert default_output([archive, study]) == tmp_path / "scan-converted"
    assert default_output([]) is None


@given(depth=st.integers(1, 5), order=st.permutations(range(5)))
def test_default_output_is_never_inside_an_input(tmp_path_factory, depth, order):
    root = tmp_path_factory.mktemp("tree")
    chain = [root.joinpath(*[f"d{i}" for i in range(level + 1)]) for level in range(depth)]
    chain[-1].mkdir(parents=True)
    sources = [chain[i] for i in order if i < depth]
    target = default_output(sources)
    assert target is not None
    assert not any(is_inside(target, s) for s in sources)
    assert target.parent == chain[0].parent or is_inside(target.parent, root)


def test_check_choices_refuses_what_cannot_work(tmp_path):
    study = tmp_path / "study"
    (study / "sub").mkdir(parents=True)
    (tmp_path / "file.txt").write_text("x")
    cases = {
        "at least one": ([], str(tmp_path / "out")),
        "Choose the folder": ([str(study)], "  "),
        "cannot be found": ([str(tmp_path / "gone")], str(tmp_path / "out")),
        "is a file": ([str(study)], str(tmp_path / "file.txt")),
        "is inside the input": ([str(study)], str(study / "sub" / "out")),
        "inside the output folder": ([str(study)], str(tmp_path)),
        "is part of": ([str(study), str(study / "sub")], str(tmp_path / "out")),
    }
    for expected, (inputs, output) in cases.items():
        with pytest.raises(ChoiceError, match=expected):
            check_choices(inputs, output)
    sources, target = check_choices([str(study)], str(tmp_path / "out"))
    assert (sources, target) == ([study.resolve()], (tmp_path / "out").resolve())


# -- messages ---------------------------------------------------------------------------------


def _one_sentence(text):
    assert "\n" not in text
    assert "Traceback" not in text
    assert text[0].isupper()
    assert text.endswith(".")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/out/x"), "disk is full"),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/cd"), "read-only"),
        (PermissionError(errno.EACCES, "Permission denied", "/out"), "'/out'"),
        (FileNotFoundError(errno.ENOENT, "No such file", "/media/usb"), "disk is connected"),
        (MemoryError(), "fewer parallel jobs"),
        (ChoiceError("choose another folder\nsecond line"), "Choose another folder."),
    ],
)
def test_plain_message_says_what_to_do(error, words):
    text = plain_message(error)
    _one_sentence(text)
    assert words in text


def test_unexpected_error_points_to_the_log_with_the_details(config_home):
    log_file = start_logging()
    assert log_file == config_home / "elscint-codec" / "gui.log"
    try:
        raise KeyError("internal detail")
    except KeyError as exc:
        text = record_error(exc, "testing")
    finally:
        stop_logging()
    _one_sentence(text)
    assert str(log_file) in text
    assert "internal detail" not in text
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged
    assert "internal detail" in logged
    # Without a log file the sentence does not point to one.
    assert "the details could not be saved" in record_error(KeyError("y"), "testing")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (3, "a few seconds left"),
        (44, "about 40 s left"),
        (150, "about 2 min left"),
        (3600, "about 1 h left"),
        (5000, "about 1 h 23 min left"),
    ],
)
def test_time_left_is_rounded_and_friendly(seconds, text):
    assert time_left(seconds) == text


# -- start-up ---------------------------------------------------------------------------------


def _python(code, tmp_path, **env):
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_importing_the_package_does_not_load_tk(tmp_path):
    code = (
        "import sys, elscint_codec, elscint_codec.gui, elscint_codec.cli_gui\n"
        "assert 'tkinter' not in sys.modules, 'tkinter imported'\n"
    )
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr


def test_without_tk_the_window_explains_what_to_install(tmp_path):
    code = (
        "import sys\nsys.modules['tkinter'] = None\n"
        "from elscint_codec.gui import main\nsys.exit(main([]))\n"
    )
    result = _python(code, tmp_path)
    assert result.returncode == 3
    assert "python3-tk" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" in (tmp_path / "elscint-codec" / "gui.log").read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X11 display variable")
def test_without_a_display_the_window_says_so(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "elscint_codec.gui"],
        capture_output=True,
        text=True,
        env={**environment, "XDG_CONFIG_HOME": str(tmp_path)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 3
    assert "no screen is available" in result.stderr
    assert "Traceback" not in result.stderr


def test_gui_subcommand_parser():
    import argparse

    from elscint_codec import cli_gui

    parser = argparse.ArgumentParser(prog="elscint")
    cli_gui.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["gui", "a", "b.zip", "-o", "out"])
    assert (args.sources, args.output, args.func) == (["a", "b.zip"], "out", cli_gui.run)
    text = parser._subparsers._group_actions[0].choices["gui"].format_help()
    assert "elscint gui /data/gemini" in text
    assert "exit codes" in text


# -- SUV table --------------------------------------------------------------------------------


def test_suv_table_shows_the_report_in_plain_units(tmp_path):
    from elscint_codec.gui.suv_table import COLUMNS, read_suv_table
    from elscint_codec.samples import study_facts, suvbw_factor, write_study
    from elscint_codec.suv import suv_report

    write_study(tmp_path / "study", seed=4, ct_slices=0, pet_slices=3, rgb=False)
    suv_report([tmp_path / "study"], tmp_path / "suv")
    rows = read_suv_table(tmp_path / "suv" / "elscint-suv.csv")
    assert len(rows) == 1
    row = dict(zip(COLUMNS, rows[0], strict=True))
    facts = study_facts(4)
    assert row["Patient"] == facts.patient_id
    assert row["SUV"] == "ok"
    assert float(row["Weight (kg)"]) == pytest.approx(facts.weight_kg, abs=0.05)
    expected = suvbw_factor(facts.weight_kg, facts.dose_bq, facts.injection, facts.pet_start)
    assert float(row["SUVbw factor"]) == pytest.approx(expected, rel=1e-5)
    assert float(row["Dose (MBq)"]) * 1e6 == pytest.approx(facts.dose_bq, rel=1e-3)


def test_suv_table_keeps_unparsable_cells_and_explains_a_refusal(tmp_path):
    from elscint_codec.gui.suv_table import COLUMNS, read_suv_table

    path = tmp_path / "suv.csv"
    path.write_text(
        "patient_id,series_number,series_description,status,reason,dose_bq,factor_bw\n"
        'P1,4,PET WB,failed,"(0018,1074) Radionuclide Total Dose is missing",,n/a\n',
        encoding="utf-8",
    )
    (row,) = read_suv_table(path)
    cells = dict(zip(COLUMNS, row, strict=True))
    assert cells["Series"] == "4 PET WB"
    assert cells["SUV"] == "failed: (0018,1074) Radionuclide Total Dose is missing"
    assert (cells["Dose (MBq)"], cells["SUVbw factor"], cells["Weight (kg)"]) == ("", "n/a", "")


def test_missing_part_of_the_installation_is_named():
    text = plain_message(ModuleNotFoundError("No module named 'PIL'", name="PIL"))
    _one_sentence(text)
    assert "'PIL'" in text
    assert "reinstall" in text
