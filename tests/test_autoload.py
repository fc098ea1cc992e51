"""The start-up hook (elscint_codec.pth / .start) and the import contract, in fresh interpreters.

The hook tests run in a throwaway virtual environment whose site-packages
holds a copy of ``src/elscint_codec.pth`` and a path file that makes this
test run's packages importable, so they see exactly the shipped hook and
nothing that happens to be installed.  ``tools/check_wheel_install.sh`` tests
the hook of a real wheel installation.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

import _elscint_codec_autoload as autoload
import elscint_codec
from elscint_variants import build, write

ROOT = Path(__file__).resolve().parents[1]
HOOK_PTH = ROOT / "src" / "elscint_codec.pth"
HOOK_START = ROOT / "src" / "elscint_codec.start"
PRIVATE_TS = "1.3.46.670589.33.1.4.1"

REPORT = r"""
import json, sys
def report(**extra):
    first = sys.meta_path[0] if sys.meta_path else None
    state = {
        "loaded": sorted(m for m in ("pydicom", "numpy", "elscint_codec", "_elscint_codec_autoload")
                         if m in sys.modules),
        "watching": any(getattr(f, "_elscint_codec_watcher", False) for f in sys.meta_path),
        "watcher_first": bool(getattr(first, "_elscint_codec_watcher", False)),
    }
    if "elscint_codec" in sys.modules:
        state["registered"] = sys.modules["elscint_codec"].plugin.is_registered()
    state.update(extra)
    print(json.dumps(state))
"""


@pytest.fixture(scope="module")
def hooked_python(tmp_path_factory) -> Path:
    """Return the interpreter of a venv where the shipped hook runs at start-up."""
    home = tmp_path_factory.mktemp("hooked-venv")
    venv.create(home, with_pip=False, symlinks=os.name != "nt")
    scripts = "Scripts" if os.name == "nt" else "bin"
    python = home / scripts / ("python.exe" if os.name == "nt" else "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    site = Path(purelib)
    # this run's packages (pydicom, numpy, elscint_codec, the hook module) by path only:
    # .pth files of the host environment are not processed in the venv
    hook_dir = Path(autoload.__file__).resolve().parent
    package_dir = Path(elscint_codec.__file__).resolve().parents[1]
    paths = [str(hook_dir), str(package_dir), sysconfig.get_paths()["purelib"]]
    paths += [p for p in sys.path if p and Path(p).is_dir() and "site-packages" in p]
    (site / "00-test-paths.pth").write_text("\n".join(dict.fromkeys(paths)) + "\n")
    (site / HOOK_PTH.name).write_bytes(HOOK_PTH.read_bytes())
    return python


def run(python, code, *, env=None, args=(), flags=()) -> dict:
    environment = dict(os.environ)
    environment.pop("ELSCINT_CODEC_AUTOLOAD", None)
    environment.update(env or {})
    completed = subprocess.run(
        [str(python), *flags, "-c", REPORT + code, *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.splitlines()[-1])
    result["stderr"] = completed.stderr
    return result


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("autoload-files")
    return write(build("private-element").dataset, folder / "private.dcm")


def test_bare_start_loads_only_the_hook(hooked_python):
    state = run(hooked_python, "report()")
    assert state["loaded"] == ["_elscint_codec_autoload"]
    assert state["watcher_first"]


DECODE = """
import pydicom
ds = pydicom.dcmread(sys.argv[1])
report(shape=list(ds.pixel_array.shape), loader=type(pydicom.__loader__).__name__,
       spec_loader_is_loader=pydicom.__spec__.loader is pydicom.__loader__)
"""


def test_import_pydicom_registers(hooked_python, sample):
    state = run(hooked_python, DECODE, args=[sample])
    assert state["shape"] == [24, 20]
    assert state["registered"]
    assert not state["watching"]
    assert state["loader"] == "SourceFileLoader"  # the proxy loader is gone
    assert state["spec_loader_is_loader"]


def test_importing_a_submodule_first_registers(hooked_python):
    state = run(hooked_python, "import pydicom.uid\nreport()")
    assert state["registered"]


@pytest.mark.parametrize("value", ["0", "false", "OFF", " no "])
def test_environment_switches_the_hook_off(hooked_python, sample, value):
    code = """
import pydicom
try:
    pydicom.dcmread(sys.argv[1]).pixel_array
except NotImplementedError as exc:
    report(error=str(exc))
"""
    state = run(hooked_python, code, env={"ELSCINT_CODEC_AUTOLOAD": value}, args=[sample])
    assert state["loaded"] == ["_elscint_codec_autoload", "numpy", "pydicom"]
    assert not state["watching"]
    assert "1.3.46.670589.33.1.4.1" in state["error"]


def test_no_hook_without_site(hooked_python):
    state = run(hooked_python, "report()", flags=["-S"])
    assert state["loaded"] == []


def test_a_broken_package_never_breaks_pydicom(hooked_python, tmp_path):
    fake = tmp_path / "fake" / "elscint_codec"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    for flags in (["-W", "default"], ["-W", "error"]):
        state = run(
            hooked_python,
            "import pydicom\nreport(version=pydicom.__version__)",
            env={"PYTHONPATH": str(fake.parent)},
            flags=flags,
        )
        assert state["version"]
        assert "pydicom" in state["loaded"]
    assert (
        "RuntimeWarning: elscint_codec could not register"
        in run(
            hooked_python,
            "import pydicom\nreport()",
            env={"PYTHONPATH": str(fake.parent)},
            flags=["-W", "default"],
        )["stderr"]
    )


def test_hook_module_imports_only_the_standard_library():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); before = set(sys.modules)\n"
        "import _elscint_codec_autoload\n"
        "report(new=sorted(set(sys.modules) - before))"
    )
    state = run(sys.executable, code, flags=["-S"], args=[Path(autoload.__file__).parent])
    new = {name.split(".")[0] for name in state["new"]} - {"_elscint_codec_autoload"}
    assert new <= set(sys.stdlib_module_names)
    assert not new & {"typing", "warnings", "importlib", "re"}  # nothing costly
    # with site (the real start-up), os is already loaded: only __future__ is new
    state = run(sys.executable, code, args=[Path(autoload.__file__).parent])
    assert set(state["new"]) <= {"_elscint_codec_autoload", "__future__"}


# The explicit contract (python -S, frozen apps, --target installs): import elscint_codec.


def test_import_elscint_codec_does_not_import_pydicom_but_registers_later(sample):
    code = "import elscint_codec\nbefore = sorted(sys.modules)\n" + DECODE.replace(
        "report(", "report(pydicom_early='pydicom' in before, "
    )
    state = run(sys.executable, code, env={"ELSCINT_CODEC_AUTOLOAD": "0"}, args=[sample])
    assert not state["pydicom_early"]
    assert state["registered"]
    assert state["shape"] == [24, 20]


def test_import_elscint_codec_after_pydicom_registers_at_once():
    code = "import pydicom, elscint_codec\nreport()"
    state = run(sys.executable, code, env={"ELSCINT_CODEC_AUTOLOAD": "0"})
    assert state["registered"]
    assert not state["watching"]


def test_unregister_before_pydicom_cancels_the_pending_registration():
    code = "import elscint_codec\nelscint_codec.unregister()\nimport pydicom\nreport()"
    state = run(sys.executable, code, env={"ELSCINT_CODEC_AUTOLOAD": "0"})
    assert not state["registered"]
    assert not state["watching"]


def test_shipped_hook_files():
    lines = HOOK_PTH.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("import ")
    module, _, name = HOOK_START.read_text().strip().partition(":")
    assert callable(getattr(importlib.import_module(module), name))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("1", True), ("yes", True), ("0", False), ("False", False), ("off", False)],
)
def test_enabled(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(autoload.ENVIRONMENT_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(autoload.ENVIRONMENT_VARIABLE, value)
    assert autoload.enabled() is expected


def test_install_when_switched_off_changes_nothing(monkeypatch):
    monkeypatch.setenv(autoload.ENVIRONMENT_VARIABLE, "0")
    before = list(sys.meta_path)
    autoload.install()
    assert sys.meta_path == before


def test_watcher_answers_only_for_pydicom_and_unwatch_removes_it(monkeypatch):
    watcher = autoload._PydicomWatcher()
    monkeypatch.setattr(sys, "meta_path", [watcher, *sys.meta_path])
    assert watcher.find_spec("numpy") is None
    autoload.unwatch()
    assert not any(getattr(f, "_elscint_codec_watcher", False) for f in sys.meta_path)


def test_importing_the_dataset_layer_first_still_registers():
    # ``import elscint_codec.dicom`` imports pydicom half-way through its own
    # import; registration must not trip over the half-initialised module.
    code = "import elscint_codec.dicom, elscint_codec.plugin as p; print(p.is_registered())"
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "True"
    assert "could not register" not in completed.stderr
