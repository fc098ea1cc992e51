"""A real installation of the built wheel (and of an editable install) in fresh venvs.

Runs ``tools/check_wheel_install.sh``: plain pydicom must decode every
generated sample file without ``import elscint_codec``, the environment
variable must switch the hook off, and ``pip uninstall`` must remove it.
Needs a C compiler and network access to PyPI; takes a few minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from tooling import require_tool

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "check_wheel_install.sh"


@pytest.mark.slow
def test_installed_package_registers_with_plain_pydicom():
    bash = require_tool("bash")
    env = dict(os.environ, PYTHON=sys.executable)
    env.setdefault("PYDICOM_SPEC", f"pydicom=={pydicom.__version__}")
    completed = subprocess.run(
        [bash, str(SCRIPT), "wheel", "editable"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    assert "all modes passed: wheel editable" in completed.stdout
    assert completed.stdout.count("(512, 512, 3)") == 2  # the RGB capture, in both modes
