"""Drive the real desktop window on a virtual X display (Xvfb, started here).

Folders are chosen through the window's own methods (never through file
dialogs), buttons are pressed with ``invoke()`` and the Tk event loop is pumped
until the conversion ends; then the files on disk and the text the window
shows are checked.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pydicom
import pytest

from elscint_codec.samples import write_study
from gui_support import pump, virtual_display
from tooling import require_module, require_tool

pytestmark = pytest.mark.tools

PRIVATE_TRANSFER_SYNTAX = "1.3.46.670589.33.1.4.1"


@pytest.fixture(scope="session")
def display():
    require_module("tkinter")
    xvfb = require_tool("Xvfb")
    with virtual_display(xvfb) as name, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISPLAY", name)
        yield name


@pytest.fixture(scope="session")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gemini") / "study"
    files = write_study(folder, seed=3, ct_slices=6, pet_slices=5)
    return folder, files


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def make_window(display, config_home):
    import tkinter as tk

    from elscint_codec.gui.window import ConverterWindow

    opened: list[Path] = []
    roots: list[tk.Tk] = []

    def make():
        root = tk.Tk()
        roots.append(root)
        window = ConverterWindow(root, opener=opened.append)
        window.opened = opened
        root.update()
        return window

    yield make
    for root in roots:
        with contextlib.suppress(tk.TclError):  # the test may have closed it already
            root.destroy()


def finished(window):
    return window.state in ("done", "cancelled", "error")


def convert(window, *, timeout=180.0):
    window.convert_button.invoke()
    assert window.state == "running"
    return pump(window.root, lambda: finished(window), timeout=timeout, what="conversion")


def dicom_files(folder):
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and "previews" not in p.parts and not p.name.startswith("elscint-")
    )


def test_converts_the_sample_study_with_three_clicks(make_window, study, tmp_path):
    folder, files = study
    window = make_window()
    window.form.add_inputs([folder])  # click 1: Add folder
    assert window.form.output_var.get() == str(folder.parent / "study-converted")
    window.form.set_output(tmp_path / "out")  # click 2: Choose output
    longest_update = convert(window)  # click 3: Convert
    assert window.state == "done", window.error_var.get()
    assert window.status_var.get() == "Done"
    assert window.error_var.get() == ""

    written = dicom_files(tmp_path / "out")
    assert len(written) == len(files)
    for path in written:
        ds = pydicom.dcmread(path)
        assert ds.file_meta.TransferSyntaxUID != PRIVATE_TRANSFER_SYNTAX
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    counts = {name: var.get() for name, var in window.results.count_vars.items()}
    assert counts == {"converted": str(len(files)), "copied": "0", "skipped": "0", "failed": "0"}
    assert window.results.summary_var.get().startswith(f"Converted {len(files)}, copied 0")
    assert window.last_progress is not None
    assert window.last_progress.done == window.last_progress.total == len(files)

    previews = sorted((tmp_path / "out" / "previews").glob("*.png"))
    assert previews, "the converter wrote no previews"
    assert window.results.previews.captions == [p.stem for p in previews]
    assert all(
        image.width() <= 150 and image.height() <= 150 for image in window.results.previews.images
    )

    window.results.open_output_button.invoke()
    window.results.open_report_button.invoke()
    assert window.opened == [
        (tmp_path / "out").resolve(),
        (tmp_path / "out").resolve() / "elscint-report.csv",
    ]
    # The window stayed responsive: no single turn of the event loop took long.
    assert longest_update < 0.5


def test_cancel_leaves_no_partial_file_and_a_rerun_completes(make_window, tmp_path):
    source = tmp_path / "big"
    files = write_study(source, seed=5, ct_slices=60, pet_slices=10, rgb=False)
    out = tmp_path / "out"
    window = make_window()
    window.form.add_inputs([source])
    window.form.set_output(out)
    window.form.jobs_var.set("1")
    window.convert_button.invoke()
    pump(
        window.root,
        lambda: (
            finished(window)
            or (window.last_progress is not None and window.last_progress.done >= 2)
        ),
        what="the first files",
    )
    assert window.state == "running", window.error_var.get()
    live = int(window.results.count_vars["converted"].get())
    assert live >= 2  # the tiles count while it works
    window.cancel_button.invoke()
    assert window.state == "cancelling"
    assert window.cancel_button.instate(["disabled"])
    pump(window.root, lambda: finished(window), what="the cancelled run to end")
    assert window.state == "cancelled", window.error_var.get()
    assert window.status_var.get() == "Stopped"

    partial = dicom_files(out)
    assert 0 < len(partial) < len(files)
    assert window.results.count_vars["converted"].get() == str(len(partial))
    assert f"Stopped after {len(partial)} of {len(files)} files" in window.detail_var.get()
    for path in partial:  # every file present is complete and readable
        ds = pydicom.dcmread(path)
        assert len(ds.PixelData) >= ds.Rows * ds.Columns * 2
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".elscint-tmp-")]
    assert leftovers == []

    convert(window)
    assert window.state == "done", window.error_var.get()
    assert len(dicom_files(out)) == len(files)
    assert "already done" in window.results.summary_var.get()


def test_settings_are_remembered_between_two_windows(make_window, study, tmp_path, config_home):
    folder, _ = study
    first = make_window()
    first.form.add_inputs([folder])
    first.form.set_output(tmp_path / "elsewhere")
    first.form.deidentify_var.set(True)
    first.form.open_advanced()
    first.form.verify_var.set(False)
    first.form.jobs_var.set("1")
    first.close()
    assert (config_home / "elscint-codec" / "gui.json").is_file()

    second = make_window()
    assert second.form.inputs == [str(folder)]
    assert second.form.output_var.get() == str(tmp_path / "elsewhere")
    assert second.form.deidentify_var.get() is True
    assert second.form.verify_var.get() is False
    assert second.form.jobs() == 1
    assert second.form.suv_var.get() is False


def test_a_bad_choice_is_one_plain_sentence_and_nothing_is_written(make_window, study):
    folder, _ = study
    window = make_window()
    window.form.add_inputs([folder])
    window.form.set_output(folder / "CT" / "converted")
    window.convert_button.invoke()
    window.root.update()
    message = window.error_var.get()
    assert window.state == "idle"
    assert "inside the input" in message
    assert "Traceback" not in message
    assert "\n" not in message
    assert window.error_label.winfo_ismapped()
    assert not (folder / "CT" / "converted").exists()


def test_an_error_in_a_click_handler_shows_a_sentence_and_logs_the_details(
    make_window, config_home, request
):
    from elscint_codec.gui.messages import start_logging, stop_logging

    log_file = start_logging()
    request.addfinalizer(stop_logging)
    window = make_window()

    def broken():
        raise RuntimeError("internal detail 1234")

    button = window.form.add_folder_button
    button.configure(command=broken)
    button.invoke()  # Tk routes the exception to report_callback_exception
    window.root.update()
    message = window.error_var.get()
    assert message.startswith("Something unexpected went wrong (RuntimeError)")
    assert str(log_file) in message
    assert "internal detail" not in message
    assert "internal detail 1234" in log_file.read_text(encoding="utf-8")


def test_closing_during_a_conversion_stops_it_cleanly(make_window, tmp_path):
    source = tmp_path / "study"
    write_study(source, seed=8, ct_slices=30, pet_slices=0, rgb=False)
    window = make_window()
    window.form.add_inputs([source])
    window.form.set_output(tmp_path / "out")
    window.form.jobs_var.set("1")
    window.convert_button.invoke()
    window.close()
    assert window.state in ("cancelling", "cancelled", "done")
    started = time.monotonic()
    pump(window.root, lambda: window.closed, what="the window to close")
    assert time.monotonic() - started < 60
    assert window.worker is not None
    assert not window.worker.is_alive()
    for path in dicom_files(tmp_path / "out"):
        pydicom.dcmread(path)


def test_problems_are_listed_in_plain_words_as_they_happen(make_window, study, tmp_path):
    import zipfile

    _, files = study
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    whole = files[0].read_bytes()
    (mixed / "IM_BROKEN").write_bytes(whole[: len(whole) // 2])
    (mixed / "notes.txt").write_text("scanner export notes\n")
    archive = tmp_path / "pet.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in files[-3:]:
            bundle.write(path, f"PT/{path.name}")
    window = make_window()
    window.form.add_inputs([mixed, archive])
    window.form.set_output(tmp_path / "out")
    convert(window)
    assert window.state == "done"
    assert window.status_var.get() == "Done, with problems"
    counts = {name: var.get() for name, var in window.results.count_vars.items()}
    assert counts == {"converted": "3", "copied": "0", "skipped": "1", "failed": "1"}
    rows = [
        window.results.problems.item(i, "values") for i in window.results.problems.get_children()
    ]
    assert sorted(Path(where).name for where, _ in rows) == ["IM_BROKEN", "notes.txt"]
    for where, what in rows:
        assert what.startswith("Failed: " if where.endswith("IM_BROKEN") else "Skipped: ")
        assert "Traceback" not in what
        assert len(what) > len("Skipped: ") + 5
    assert window.results.notebook.tab(window.results.problems_tab, "text") == "Problems (2)"
    assert "1 file(s) could not be converted" in window.detail_var.get()


def test_a_conversion_that_cannot_start_says_why_without_a_traceback(make_window, study, tmp_path):
    folder, _ = study
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    window = make_window()
    window.form.add_inputs([folder])
    window.form.set_output(blocker / "out")
    convert(window)
    assert window.state == "error"
    assert window.status_var.get() == "Could not convert"
    message = window.error_var.get()
    assert message
    assert "Traceback" not in message
    assert "\n" not in message
    assert "a-file" in message
    assert window.convert_button.instate(["!disabled"])


def test_screenshot_script_regenerates_both_pictures(display, tmp_path):
    import subprocess
    import sys

    from PIL import Image

    script = Path(__file__).resolve().parent.parent / "tools" / "gui_screenshots.py"
    result = subprocess.run(
        [sys.executable, str(script), "--display", display, "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    before = Image.open(tmp_path / "gui-before.png")
    after = Image.open(tmp_path / "gui-after.png")
    assert before.size == after.size
    assert before.size[0] >= 900
    assert before.convert("RGB").tobytes() != after.convert("RGB").tobytes()


def test_removing_identity_keeps_suv_and_the_suv_table_is_shown(
    make_window, study, tmp_path, config_home
):
    from elscint_codec.gui.suv_table import COLUMNS, read_suv_table
    from elscint_codec.samples import study_facts
    from elscint_codec.suv import suv_report

    folder, files = study
    out = tmp_path / "shared"
    window = make_window()
    window.form.add_inputs([folder])
    window.form.set_output(out)
    window.form.deidentify_var.set(True)
    window.form.suv_var.set(True)
    convert(window)
    assert window.state == "done", window.error_var.get()

    facts = study_facts(3)
    written = dicom_files(out)
    problems = [
        window.results.problems.item(i, "values") for i in window.results.problems.get_children()
    ]
    # The fused screen capture has burned-in text: it is left out, and said so
    # without naming the input file.
    assert len(written) == len(files) - 1
    ((where, what),) = problems
    assert what.startswith("Skipped: ")
    assert "burned-in" in what
    assert "IM_0001" not in where
    assert str(folder) not in where
    for path in written:
        assert facts.patient_id not in str(path)
        ds = pydicom.dcmread(path)
        assert str(ds.PatientName) != facts.patient_name
        assert ds.PatientID != facts.patient_id
    assert (config_home / "elscint-codec" / "deid.key").is_file()

    tree = window.results.suv
    rows = [dict(zip(COLUMNS, tree.item(i, "values"), strict=True)) for i in tree.get_children()]
    assert len(rows) == 1
    assert rows[0]["SUV"] == "ok"
    assert rows[0]["Patient"] != facts.patient_id
    suv_report([folder], tmp_path / "suv-of-input")
    (original,) = read_suv_table(tmp_path / "suv-of-input" / "elscint-suv.csv")
    original_cells = dict(zip(COLUMNS, original, strict=True))
    for column in ("SUVbw factor", "SUL factor", "Dose (MBq)", "Weight (kg)", "Uptake (min)"):
        assert rows[0][column] == original_cells[column], column
    assert window.results.notebook.tab(window.results.suv_tab, "state") == "normal"
    window.results.open_suv_button.invoke()
    assert window.opened == [out.resolve() / "elscint-suv.csv"]


def test_elscint_gui_command_opens_the_window_and_ctrl_q_closes_it(display, study, tmp_path):
    import json
    import subprocess
    import sys

    xdotool = require_tool("xdotool")
    folder, _ = study
    env = {**os.environ, "DISPLAY": display, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    command = [
        sys.executable,
        "-m",
        "elscint_codec",
        "gui",
        str(folder),
        "-o",
        str(tmp_path / "o"),
    ]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        window_id = ""
        while not window_id and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            found = subprocess.run(
                [xdotool, "search", "--name", "^Elscint converter$"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            window_id = found.stdout.split()[0] if found.stdout.split() else ""
        assert window_id, "the window did not appear"
        subprocess.run([xdotool, "windowfocus", "--sync", window_id], env=env, check=True)
        subprocess.run([xdotool, "key", "ctrl+q"], env=env, check=True)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.communicate()[1]
    assert "Traceback" not in stderr
    remembered = json.loads((tmp_path / "config" / "elscint-codec" / "gui.json").read_text())
    assert remembered["inputs"] == [str(folder)]
    assert remembered["output"] == str(tmp_path / "o")


def test_an_empty_folder_says_there_is_nothing_to_convert(make_window, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    window = make_window()
    window.form.add_inputs([empty])
    convert(window)
    assert window.state == "done"
    assert window.status_var.get() == "Nothing to convert"
    assert "No files were found" in window.detail_var.get()


def test_a_sample_study_can_be_written_and_converted_without_a_terminal(make_window, tmp_path):
    window = make_window()
    window.sample_folder = tmp_path / "demo"
    window.form.sample_button.invoke()
    assert window.state == "preparing"
    assert window.convert_button.instate(["disabled"])
    pump(window.root, lambda: window.state == "idle", what="the sample study")
    assert window.form.inputs == [str(tmp_path / "demo" / "input")]
    assert window.form.output_var.get() == str(tmp_path / "demo" / "output")
    written = dicom_files(tmp_path / "demo" / "input")
    assert len(written) > 20
    convert(window)
    assert window.state == "done", window.error_var.get()
    assert window.results.count_vars["converted"].get() == str(len(written))
