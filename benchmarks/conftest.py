"""Fixtures for the codec benchmarks: realistic slices and the baselines.

Run by hand with figures (see docs/performance.md)::

    python -m pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json

CI runs ``python -m pytest benchmarks --benchmark-disable``: every benchmark
then runs its function once and checks what it decoded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_support import Case, TwoPassBaseline, fused_case, grey_case
from tooling import require_tool


@pytest.fixture(scope="session")
def ct_case() -> Case:
    """A 512 x 512 thorax CT slice."""
    case = grey_case("CT 512x512", "ct", 8, 16)
    assert case.image.shape == (512, 512)
    return case


@pytest.fixture(scope="session")
def pet_case() -> Case:
    """A 144 x 144 PET slice."""
    case = grey_case("PET 144x144", "pet", 8, 16)
    assert case.image.shape == (144, 144)
    return case


@pytest.fixture(scope="session")
def rgb_case() -> Case:
    """A 512 x 512 fused PET/CT screen capture (PMSCT_RGB1)."""
    case = fused_case()
    assert case.image.shape == (512, 512, 3)
    return case


@pytest.fixture(scope="session")
def ct_volume() -> list[Case]:
    """Sixteen different CT slices for the thread-scaling benchmark."""
    return [grey_case(f"CT slice {k}", "ct", k, 16) for k in range(16)]


@pytest.fixture(scope="session")
def pet_volume() -> list[Case]:
    """Sixty-four different PET slices for the thread-scaling benchmark."""
    return [grey_case(f"PET slice {k}", "pet", k, 64) for k in range(64)]


@pytest.fixture(scope="session")
def two_pass(tmp_path_factory: pytest.TempPathFactory) -> TwoPassBaseline:
    """Compile benchmarks/baseline_two_pass.c with the system compiler (-O2)."""
    compiler = require_tool("cc")
    library = tmp_path_factory.mktemp("baseline") / "baseline_two_pass.so"
    command = [compiler, "-O2", "-shared", "-fPIC", "-o", str(library)]
    subprocess.run([*command, str(HERE / "baseline_two_pass.c")], check=True)
    return TwoPassBaseline(library)
