"""Conversion speed and memory of ``elscint convert`` next to dcm2niix, in the same run.

Full run (by hand, figures in docs/performance.md, section "Converter")::

    python -m pytest benchmarks/test_bench_convert.py --benchmark-json=convert.json
    python benchmarks/report_convert.py convert.json

converts generated 300-slice 512 x 512 CT and 144 x 144 PET series, and
1200-slice ones to separate the fixed start-up cost from the cost per file
(``ELSCINT_BENCH_SLICES`` changes the 300,
``ELSCINT_BENCH_ROUNDS`` the 5 rounds per tool, ``ELSCINT_BENCH_CPU`` the CPU
of the single-core runs) with

``elscint -j 1``
    ``python -m elscint_codec convert SERIES -o OUT -j 1 -q``, default
    options otherwise (report, previews, files flushed to disk), pinned to
    one CPU;
``dcm2niix``
    ``dcm2niix -o OUT SERIES`` with its defaults (the tool users pick today),
    pinned to the same CPU;
``elscint -j 2``
    two worker processes, not pinned (scaling);
``elscint -j 1 --no-previews``
    what a base install does (previews need the optional Pillow, whose
    import is a tenth of a 300-slice PET run), pinned to the same CPU.

Every command is a fresh process (start-up included), the output folder is
emptied and the file system flushed before each command; on ext4 the old
output is set aside rather than deleted until the session ends (see
``convert_support.set_aside``: deleting hundreds of files right before a
command slows its file creation on ext4 without a journal).  The package's
modules are compiled to bytecode first, as ``pip install`` does (an editable
install, or ``PYTHONDONTWRITEBYTECODE``, would otherwise compile them again
in every run and count that against the start-up).  Outputs go to a
temporary folder, or below ``ELSCINT_BENCH_OUTPUT`` (e.g. ``/dev/shm`` to
take the disk out of the comparison).  CI runs
``--benchmark-disable``: then each command runs once on a 4-slice series and
the checks below (output complete, memory bounds) still apply.
"""

from __future__ import annotations

import compileall
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import elscint_codec
from convert_support import (
    Measured,
    clear_folder,
    file_system_type,
    remove_set_aside,
    run_measured,
    set_aside,
    summarise,
    tree_sampling_available,
)
from elscint_codec.samples import write_study
from nifti_support import dcm2niix_program

FULL_SLICES = int(os.environ.get("ELSCINT_BENCH_SLICES", "300"))
SMOKE_SLICES = 4
ROUNDS = int(os.environ.get("ELSCINT_BENCH_ROUNDS", "5"))
MEMORY_LIMIT_MB = 200.0
TOOLS = ("elscint -j 1", "dcm2niix", "elscint -j 2", "elscint -j 1 --no-previews")


def _smoke(config: pytest.Config) -> bool:
    return bool(config.getoption("benchmark_disable", False))


@pytest.fixture(scope="module")
def slices(request: pytest.FixtureRequest) -> int:
    return SMOKE_SLICES if _smoke(request.config) else FULL_SLICES


@pytest.fixture(scope="module", autouse=True)
def _bytecode() -> None:
    """Compile the package to bytecode, as an installed package is (see the docstring)."""
    compileall.compile_dir(Path(elscint_codec.__file__).parent, quiet=1)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory, slices: int) -> Path:
    """A generated study: ``CT`` (512 x 512) and ``PT`` (144 x 144) series of ``slices``."""
    root = tmp_path_factory.mktemp("bench-convert") / "input"
    write_study(root, seed=0, ct_slices=slices, pet_slices=slices, rgb=False)
    return root


def _output_folder(tmp_path: Path) -> Path:
    base = os.environ.get("ELSCINT_BENCH_OUTPUT")
    if not base:
        return tmp_path / "out"
    return Path(base) / f"elscint-bench-{os.getpid()}"


def _one_cpu() -> int | None:
    """The CPU single-core runs are pinned to (None where pinning is not available).

    The lowest CPU this process may use, or ``ELSCINT_BENCH_CPU``.
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    chosen = os.environ.get("ELSCINT_BENCH_CPU")
    return int(chosen) if chosen else min(os.sched_getaffinity(0))


def elscint_command(source: Path, output: Path, jobs: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "elscint_codec", "convert", str(source), "-o", str(output),
            "-j", str(jobs), "-q", *extra]  # fmt: skip


def _command(tool: str, source: Path, output: Path) -> tuple[list[str], int | None]:
    if tool == "dcm2niix":
        return [dcm2niix_program(), "-o", str(output), str(source)], _one_cpu()
    _, _, jobs_text, *extra = tool.split()  # "elscint -j N [options]"
    jobs = int(jobs_text)
    return elscint_command(source, output, jobs, *extra), _one_cpu() if jobs == 1 else None


def _check_output(tool: str, output: Path, files: int) -> None:
    if tool == "dcm2niix":
        assert len(list(output.glob("*.nii*"))) == 1, sorted(output.iterdir())
        return
    written = [p for p in output.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert len([p for p in written if p.name.startswith("IM_")]) == files
    assert (output / "elscint-report.csv").is_file()


@pytest.fixture(scope="module")
def long_study(tmp_path_factory: pytest.TempPathFactory, slices: int) -> Path:
    """CT and PET series four times as long (1200 slices each in the full run)."""
    root = tmp_path_factory.mktemp("bench-long") / "input"
    write_study(root, seed=0, ct_slices=4 * slices, pet_slices=4 * slices, rgb=False)
    return root


@pytest.fixture(scope="module")
def long_pet(long_study: Path) -> Path:
    """The long PET series."""
    return long_study / "PT"


@pytest.mark.parametrize("series", ["CT", "PT", "CT x4", "PT x4"])
def test_convert_series(benchmark, study, long_study, slices, tmp_path, series, outputs):
    """Files per second of each tool on the same series (see report_convert.py).

    The tools take turns within every round (in a rotating order), so that a
    change in the machine's speed during the run, common on a shared virtual
    machine, affects them alike.
    """
    modality, _, times = series.partition(" x")
    files = slices * int(times or 1)
    source = (long_study if times else study) / modality
    output = _output_folder(tmp_path)
    runs: dict[str, list[Measured]] = {tool: [] for tool in TOOLS}
    turn = [0]

    def one_round() -> None:
        order = TOOLS[turn[0] % len(TOOLS) :] + TOOLS[: turn[0] % len(TOOLS)]
        turn[0] += 1
        for tool in order:
            command, cpu = _command(tool, source, output)
            clear_folder(output)
            runs[tool].append(run_measured(command, cpu=cpu))
            _check_output(tool, output, files)

    benchmark.group = f"convert {modality} {files} files"
    benchmark.pedantic(
        one_round,
        rounds=1 if benchmark.disabled else ROUNDS,
        warmup_rounds=0 if benchmark.disabled else 1,
    )
    kept = 1 if benchmark.disabled else ROUNDS
    benchmark.extra_info["tools"] = {
        tool: {"cpu": _command(tool, source, output)[1] or "any", **summarise(done[-kept:], files)}
        for tool, done in runs.items()
    }
    set_aside(output)  # deleted at the end of the session: see set_aside
    outputs.append(output)


@pytest.fixture(scope="session")
def outputs() -> Iterator[list[Path]]:
    """Output folders whose set-aside runs are deleted once every benchmark is done."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        remove_set_aside(folder)


@pytest.fixture
def sampling() -> None:
    if not tree_sampling_available():
        pytest.skip("needs /proc (Linux) to sample the memory of a process tree")


@pytest.mark.parametrize("jobs", [1, 2])
def test_peak_memory_of_the_process_tree(sampling, study: Path, slices: int, tmp_path, jobs):
    """The whole process tree (main, forkserver, workers) stays under 200 MB."""
    output = tmp_path / "out"
    clear_folder(output)
    run = run_measured(elscint_command(study / "CT", output, jobs), sample_tree=True)
    _check_output("elscint", output, slices)
    assert run.tree_pss_mb is not None
    assert run.tree_rss_mb is not None
    assert run.max_rss_mb < MEMORY_LIMIT_MB
    assert run.tree_pss_mb < MEMORY_LIMIT_MB, f"{run.tree_pss_mb:.0f} MB PSS for {slices} files"
    if jobs == 1:
        assert run.tree_rss_mb < MEMORY_LIMIT_MB


def test_memory_does_not_grow_with_the_number_of_files(
    sampling, study, long_pet, slices, tmp_path
):
    """Peak memory of a run over 4 N files is that of a run over N files."""
    peaks = {}
    for name, source, files in (("short", study / "PT", slices), ("long", long_pet, 4 * slices)):
        output = tmp_path / name
        clear_folder(output)
        run = run_measured(elscint_command(source, output, 1), sample_tree=True)
        _check_output("elscint", output, files)
        peaks[name] = run.max_rss_mb
    growth = peaks["long"] - peaks["short"]
    assert growth < 8.0, f"peak RSS {peaks['short']:.1f} MB -> {peaks['long']:.1f} MB"


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="CPU affinity is Linux's")
def test_a_measured_command_runs_on_its_cpu_from_the_start():
    """The child is on the chosen CPU when it starts; this process keeps its own CPUs."""
    mine = os.sched_getaffinity(0)
    for cpu in sorted(mine):
        check = f"import os, sys; sys.exit(0 if os.sched_getaffinity(0) == {{{cpu}}} else 3)"
        run_measured([sys.executable, "-c", check], cpu=cpu)
        assert os.sched_getaffinity(0) == mine


def test_an_old_output_is_set_aside_on_ext4_and_deleted_elsewhere(tmp_path):
    output = tmp_path / "out"
    clear_folder(output)
    (output / "IM_0001").write_bytes(b"old")
    clear_folder(output)
    assert list(output.iterdir()) == []
    aside = tmp_path / ".set-aside"
    kept = [path.name for path in aside.glob("*/*")] if aside.exists() else []
    assert kept == (["IM_0001"] if file_system_type(tmp_path) == "ext4" else [])
    remove_set_aside(output)
    assert not aside.exists()
