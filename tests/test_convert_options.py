"""ConvertOptions, Progress and Summary: the converter's public records."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from convert_builders import dicom_files, make_tree
from elscint_codec.converter import ConvertOptions, Progress, Summary, convert, engine
from elscint_codec.converter import options as options_module
from elscint_codec.converter.options import BYTES_PER_WORKER, FILES_PER_WORKER
from elscint_codec.converter.task import FAILED, Outcome


def test_options_defaults_and_construction():
    options = ConvertOptions()
    assert (options.jobs, options.layout, options.previews, options.space_check) == (
        0, "mirror", True, True,
    )  # fmt: skip
    assert options.deidentify is None
    assert ConvertOptions(2, "series") == ConvertOptions(jobs=2, layout="series")
    assert options.workers >= 1
    assert ConvertOptions(jobs=3).workers == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"layout": "flat"}, "layout must be one of mirror, series"),
        ({"jobs": -1}, "jobs must be a whole number"),
        ({"jobs": 1.5}, "jobs must be a whole number"),
        ({"jobs": True}, "jobs must be a whole number"),
        ({"rwvm": True}, "need suv=True"),
        ({"suv_series": True}, "need suv=True"),
    ],
)
def test_options_are_checked_when_made_and_when_replaced(changes, message):
    with pytest.raises(ValueError, match=message):
        ConvertOptions(**changes)
    with pytest.raises(ValueError, match=message):
        ConvertOptions().replace(**changes)


def test_options_are_read_only_and_replace_makes_a_changed_copy():
    options = ConvertOptions(jobs=1)
    with pytest.raises(AttributeError, match="read-only"):
        options.jobs = 4  # type: ignore[misc]
    with pytest.raises(AttributeError, match="read-only"):
        del options.layout  # type: ignore[misc]
    changed = options.replace(layout="series", verify=True)
    assert (changed.jobs, changed.layout, changed.verify) == (1, "series", True)
    assert (options.layout, options.verify) == ("mirror", False)
    with pytest.raises(TypeError):
        options.replace(colour="blue")


def test_options_compare_hash_and_show_every_setting():
    assert ConvertOptions(jobs=1) == ConvertOptions(jobs=1)
    assert ConvertOptions(jobs=1) != ConvertOptions(jobs=2)
    assert ConvertOptions(jobs=1) != (1,)
    assert len({ConvertOptions(jobs=1), ConvertOptions(jobs=1), ConvertOptions()}) == 2
    shown = repr(ConvertOptions(jobs=2, layout="series"))
    assert shown.startswith("ConvertOptions(jobs=2, layout='series', overwrite=False")
    assert shown.endswith("space_check=True)")


def test_progress_is_a_record_with_defaults():
    progress = Progress(3, 10, "a/IM1", "converted")
    assert (progress.output, progress.reason) == ("", "")
    assert progress._replace(done=4).done == 4
    assert Progress(*progress) == progress


def test_summary_counts_exit_codes_and_line():
    summary = Summary(Path("out"))
    assert (summary.total, summary.exit_code, summary.fatal, summary.previews) == (0, 0, None, [])
    summary.count("converted", 3)
    summary.count("already done")
    summary.count("failed")
    assert (summary.converted, summary.already_done, summary.total) == (3, 1, 5)
    assert summary.exit_code == 1
    summary.seconds = 1.25
    assert summary.line() == "converted 3, copied 0, already done 1, skipped 0, failed 1 in 1.2 s"
    assert "converted=3" in repr(summary)
    assert Summary(Path("out"), dry_run=True).line().startswith("dry run: would have ")
    summary.fatal = "disk full"
    assert summary.exit_code == 3
    summary.interrupted = True
    assert summary.exit_code == 130


def test_an_outcome_crosses_processes_intact():
    outcome = Outcome("in/IM1", FAILED, reason="damaged")
    outcome.temp, outcome.position, outcome.linkage = "out/.tmp", 12.5, [("a", "b")]
    copy = pickle.loads(pickle.dumps(outcome))
    assert repr(copy) == repr(outcome)
    assert (copy.display, copy.status, copy.reason, copy.position) == (
        "in/IM1", FAILED, "damaged", 12.5,
    )  # fmt: skip
    with pytest.raises(AttributeError):
        outcome.colour = "blue"  # type: ignore[attr-defined]


def test_automatic_workers_follow_the_size_of_the_input(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    automatic = ConvertOptions()
    assert automatic.workers == 8
    assert automatic.workers_for(300, 12 << 20) == 1  # one small series: no workers
    assert automatic.workers_for(0, 0) == 1
    assert automatic.workers_for(FILES_PER_WORKER * 3, 0) == 3
    assert automatic.workers_for(300, BYTES_PER_WORKER * 5 + 1) == 5
    assert automatic.workers_for(100_000, 50 << 30) == 8  # a collection: every core
    assert ConvertOptions(jobs=2).workers_for(1, 1) == 2  # asked for: as asked
    assert ConvertOptions(jobs=1).workers_for(100_000, 50 << 30) == 1


@pytest.mark.parametrize(
    ("jobs", "files_per_worker", "expected"), [(0, 256, 1), (0, 2, 2), (3, 256, 3)]
)
def test_the_engine_starts_the_workers_the_options_choose(
    tmp_path, monkeypatch, jobs, files_per_worker, expected
):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr(options_module, "FILES_PER_WORKER", files_per_worker)
    started: list[int] = []
    real_pool = engine.OrderedPool

    def recording_pool(function, workers, *args, **kwargs):
        started.append(workers)
        return real_pool(function, workers, *args, **kwargs)

    monkeypatch.setattr(engine, "OrderedPool", recording_pool)
    make_tree(tmp_path / "src")
    summary = convert([tmp_path / "src"], tmp_path / "out", options=ConvertOptions(jobs=jobs))
    assert started == [expected]
    assert (summary.exit_code, summary.converted, summary.copied) == (0, 8, 1)
    assert len(dicom_files(tmp_path / "out")) == 9
