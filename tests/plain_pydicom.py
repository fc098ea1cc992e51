"""Read files with plain pydicom in a fresh interpreter: no elscint_codec, no hook.

Used to show that converted files need no plugin, and as the baseline of
pydicom's own behaviour.  The child imports only pydicom, numpy and
:mod:`pydicom_probe`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

TESTS = Path(__file__).resolve().parent

_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import pydicom_probe
result = pydicom_probe.run(sys.argv[2], json.loads(sys.argv[3]))
result["elscint_codec_loaded"] = any(m.startswith("elscint_codec") for m in sys.modules)
print(json.dumps(result))
"""


def plain_environment() -> dict[str, str]:
    """Return the environment of a child without the start-up hook."""
    env = dict(os.environ)
    env["ELSCINT_CODEC_AUTOLOAD"] = "0"
    env.pop("PYTHONWARNINGS", None)
    return env


def run_plain(task: str, paths: list[Path], tmp_path: Path) -> dict[str, Any]:
    """Run ``pydicom_probe.run(task, paths)`` in a child; arrays come back as ``arrays``."""
    arrays_file = tmp_path / f"arrays-{task}.npz"
    arguments = {"paths": [str(p) for p in paths], "arrays": str(arrays_file)}
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(TESTS), task, json.dumps(arguments)],
        env=plain_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    assert not result.pop("elscint_codec_loaded"), "the child must not load elscint_codec"
    if arrays_file.exists():
        with np.load(arrays_file) as stored:
            result["arrays"] = {key: stored[key] for key in stored.files}
    return result
