"""Find external programs that some tests feed our output to.

A missing program skips the test, except when ``ELSCINT_REQUIRE_TOOLS=1``
(set by ``.ci/run``), where it fails: CI installs every tool, so a skip there
would hide a test that never runs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def tools_required() -> bool:
    """Return whether missing tools must fail rather than skip."""
    return os.environ.get("ELSCINT_REQUIRE_TOOLS") == "1"


def _missing(what: str) -> None:
    message = f"{what} is not installed"
    if tools_required():
        pytest.fail(f"{message} (ELSCINT_REQUIRE_TOOLS=1)")
    pytest.skip(message)


def require_tool(name: str) -> str:
    """Return the path of program ``name``, or skip/fail the test."""
    path = shutil.which(name)
    if path is None:
        _missing(f"program {name!r}")
    assert path is not None
    return path


def require_module(name: str) -> None:
    """Skip/fail the test unless Python module ``name`` can be imported."""
    if importlib.util.find_spec(name) is None:
        _missing(f"Python module {name!r}")
