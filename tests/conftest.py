"""Shared pytest configuration: hypothesis profiles and a version header."""

from __future__ import annotations

import os
import platform

import hypothesis
import numpy as np
import pydicom

import elscint_codec

hypothesis.settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis.settings.register_profile(
    "ci", max_examples=200, deadline=None, print_blob=True, derandomize=False
)
hypothesis.settings.register_profile("nightly", max_examples=5000, deadline=None)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_report_header() -> list[str]:
    return [
        (
            f"elscint_codec {elscint_codec.__version__}, pydicom {pydicom.__version__}, "
            f"numpy {np.__version__}, Python {platform.python_version()}"
        ),
        (
            f"hypothesis profile: {os.environ.get('HYPOTHESIS_PROFILE', 'dev')}, "
            f"ELSCINT_REQUIRE_TOOLS={os.environ.get('ELSCINT_REQUIRE_TOOLS', '0')}"
        ),
    ]
