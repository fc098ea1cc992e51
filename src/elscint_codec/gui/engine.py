"""The window's bridge to the converter's Python API.

:func:`run` turns the window's choices (:class:`Job`) into
:class:`elscint_codec.converter.ConvertOptions`, calls
:func:`elscint_codec.converter.convert` and translates its progress records
and summary into :mod:`~elscint_codec.gui.events`. This module is the only
one of the window that knows the converter's API; it imports it lazily.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elscint_codec.errors import ElscintError
from elscint_codec.gui.events import Event, Finished, Problem, Progress
from elscint_codec.gui.messages import ChoiceError

if TYPE_CHECKING:
    from elscint_codec.converter import ConvertOptions, Summary

__all__ = ["SUV_TABLE", "Job", "build_options", "run"]

Emit = Callable[[Event], None]

#: The SUV table the converter writes into OUTPUT when asked for SUV.
SUV_TABLE = "elscint-suv.csv"
_PROBLEMS = ("failed", "skipped")


@dataclass(frozen=True)
class Job:
    """One conversion as chosen in the window.

    ``jobs`` is the number of worker processes, 0 for one per core.
    """

    sources: tuple[Path, ...]
    output: Path
    deidentify: bool = False
    suv_report: bool = False
    jobs: int = 0
    layout: str = "mirror"
    only_elscint: bool = False
    verify: bool = True
    overwrite: bool = False


class ConversionError(ElscintError):
    """The converter stopped before converting anything; the message says why."""


def build_options(job: Job) -> ConvertOptions:
    """Return the converter's options for ``job``.

    Removing patient identity uses the ``pet-safe`` preset with the per-user
    default key, so the same patient gets the same pseudonym in every run.
    """
    from elscint_codec.converter import ConvertOptions

    deid: Any = None
    if job.deidentify:
        from elscint_codec.deid import DeidOptions

        deid = DeidOptions()
    return ConvertOptions(
        jobs=job.jobs,
        layout="series" if job.deidentify else job.layout,
        overwrite=job.overwrite,
        only_elscint=job.only_elscint,
        verify=job.verify,
        previews=True,
        deidentify=deid,
        suv=job.suv_report,
    )


def _finished(job: Job, summary: Summary, seconds: float) -> Finished:
    output = Path(summary.output)
    previews = tuple(sorted((output / "previews").glob("*.png")))
    suv_table = output / SUV_TABLE
    notes = list(summary.notes)
    if job.suv_report and not summary.interrupted and not suv_table.is_file():
        notes.append("No SUV table was written; the log file has the details")
    counts = {
        "converted": summary.converted,
        "copied": summary.copied,
        "skipped": summary.skipped,
        "failed": summary.failed,
        "already done": summary.already_done,
    }
    return Finished(
        counts=counts,
        seconds=seconds,
        cancelled=summary.interrupted,
        output=output,
        report=summary.report_csv,
        previews=previews,
        suv_table=suv_table if job.suv_report and suv_table.is_file() else None,
        notes=tuple(notes),
    )


def _short(path: str, sources: tuple[Path, ...]) -> str:
    """Return ``path`` relative to the folder holding its source, for a short list entry."""
    candidate = Path(path)
    for source in sources:
        if candidate == source or source in candidate.parents:
            return str(candidate.relative_to(source.parent))
    return path


def run(job: Job, emit: Emit, cancel: Any) -> None:
    """Convert ``job``, sending events to ``emit``; end with one :class:`Finished`.

    Parameters
    ----------
    job : Job
        What to convert.
    emit : callable
        Called with each event, from the calling thread.
    cancel : threading.Event
        Set it to stop cleanly after the files being written.

    Raises
    ------
    ConversionError
        When the converter gave up before converting (e.g. output not writable).
    """
    from elscint_codec.converter import convert

    started = time.monotonic()

    counts: dict[str, int] = {}

    def on_progress(record: Any) -> None:
        status = str(record.status)
        counts[status] = counts.get(status, 0) + 1
        if status in _PROBLEMS and record.reason:
            where = _short(str(record.path), job.sources)
            emit(Problem(where, str(record.reason), failed=status == "failed"))
        emit(Progress(record.done, record.total, time.monotonic() - started, dict(counts)))

    try:
        summary = convert(
            list(job.sources),
            job.output,
            options=build_options(job),
            on_progress=on_progress,
            cancel=cancel,
        )
    except ValueError as exc:
        if counts:
            raise
        # Nothing happened yet: the converter refused the choices and says why.
        raise ChoiceError(str(exc)) from exc
    if summary.fatal:
        raise ConversionError(
            f"{summary.fatal.rstrip('.')}; fix this or choose another output folder, "
            "then press Convert again"
        )
    emit(_finished(job, summary, time.monotonic() - started))
