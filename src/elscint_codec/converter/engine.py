"""Run a conversion: check, walk, process in parallel, settle, report.

:func:`convert` is the Python API the command line and the desktop window
call.  It walks the sources lazily, hands each file to
:func:`~elscint_codec.converter.worker.process` through an ordered, bounded
process pool (:mod:`~elscint_codec.converter.pool`), and settles each result in
input order in this process (:mod:`~elscint_codec.converter.commit`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Protocol

from elscint_codec.converter import deidentified, followups
from elscint_codec.converter.commit import Committer
from elscint_codec.converter.guard import (
    FatalError,
    check_deidentify,
    check_paths,
    check_space,
    is_new_or_empty,
    prepare_output,
)
from elscint_codec.converter.options import ConvertOptions, Progress, Summary
from elscint_codec.converter.pool import OrderedPool
from elscint_codec.converter.report import read_previous, write_reports
from elscint_codec.converter.sources import Item, Problem, Root, count, iter_sources, plan_roots
from elscint_codec.converter.state import RunState
from elscint_codec.converter.task import FAILED, SKIPPED, Outcome, Task
from elscint_codec.converter.worker import process
from elscint_codec.converter.writer import batch_sync_available, remove_leftover_temp_files

__all__ = ["CancelFlag", "convert"]

_LOG = logging.getLogger("elscint_codec.converter")
#: Files handed to a worker process at once (with -j 2 or more).
CHUNK = 8


class CancelFlag(Protocol):
    """Anything with ``is_set()``, e.g. :class:`threading.Event`."""

    def is_set(self) -> bool:
        """Return True once the run should stop."""
        ...


def _crashed(task: Task) -> Outcome:
    return Outcome(
        task.item.display,
        FAILED,
        reason="the worker process stopped while converting this file (crash or out of memory)",
    )


class _Run:
    def __init__(
        self,
        sources: Sequence[Path],
        output: Path,
        options: ConvertOptions,
        on_progress: Callable[[Progress], None] | None,
        cancel: CancelFlag | None,
    ) -> None:
        self.sources = sources
        self.output = output
        self.options = options
        self.on_progress = on_progress
        self.cancel = cancel
        self.summary = Summary(output=output, dry_run=options.dry_run)
        self.batch_sync = batch_sync_available() and not options.dry_run
        self.workers = options.workers  # chosen for the input once it is counted
        self.new_output = False  # OUTPUT was new or empty: nothing to resume

    def _stopping(self) -> bool:
        return bool(self.summary.fatal) or (self.cancel is not None and self.cancel.is_set())

    def _shown(self, display: str) -> str:
        """Return how an input appears in reports and logs (a token when de-identifying)."""
        if self.options.deidentify is None:
            return display
        return deidentified.input_token(self.options.deidentify, display)

    def _task(self, item: Item) -> Task:
        options = self.options
        return Task(
            item=item,
            output=str(self.output),
            layout=options.layout,
            overwrite=options.overwrite,
            only_elscint=options.only_elscint,
            verify=options.verify,
            dry_run=options.dry_run,
            deidentify=options.deidentify,
            sync=not self.batch_sync,
            new_output=self.new_output,
        )

    def _loop(self, roots: Sequence[Root], committer: Committer) -> None:
        pool: OrderedPool[Task, Outcome] = OrderedPool(
            process, self.workers, _crashed, chunk=CHUNK
        )
        try:
            for found in iter_sources(roots):
                if self._stopping():
                    break
                if isinstance(found, Problem):
                    problem = Outcome(self._shown(found.display), SKIPPED, reason=found.reason)
                    committer.commit(problem, None)
                    continue
                for task, outcome in pool.put(self._task(found)):
                    committer.commit(outcome, task)
            rest = pool.abandon() if self._stopping() else pool.drain()
            for task, outcome in rest:
                committer.commit(outcome, task)
        except KeyboardInterrupt:
            self.summary.interrupted = True
            for task, outcome in pool.abandon():
                committer.commit(outcome, task)
        finally:
            pool.close()
            committer.flush()
        if self.cancel is not None and self.cancel.is_set():
            self.summary.interrupted = True

    def _follow_up(self, state: RunState) -> None:
        options, summary = self.options, self.summary
        if options.dry_run or self._stopping() or summary.interrupted:
            return
        if options.previews:
            followups.make_previews(self.output, options, state, summary, workers=self.workers)
        if options.suv:
            followups.suv_results(self.output, options, summary)

    def _finish(self, state: RunState, committer: Committer) -> None:
        if self.options.dry_run or not committer.done:
            return
        if self.summary.interrupted or self.summary.fatal:
            # a file caught between its worker and its rename; the workers are done
            remove_leftover_temp_files(self.output)
        try:
            paths = write_reports(self.output, state.rows, state.status_counts())
        except OSError as exc:
            _LOG.error("cannot write the report in %s: %s", self.output, exc.strerror)
        else:
            self.summary.report_csv, self.summary.report_json = paths
        followups.write_linkage(self.options, committer.linkage, self.summary)

    def execute(self) -> Summary:
        start = time.monotonic()
        options = self.options
        with ExitStack() as stack:
            state = RunState()
            stack.callback(state.close)
            committer = Committer(self.output, options, state, self.summary, self.on_progress,
                                  batch_sync=self.batch_sync)  # fmt: skip
            try:
                self.new_output = is_new_or_empty(self.output)
                existing = 0 if options.dry_run else prepare_output(self.output, stack)
                if options.deidentify is not None:
                    note = deidentified.key_note(options.deidentify)
                    if note:
                        self.summary.notes.append(note)
                roots = plan_roots(self.sources)
                committer.total, size = count(roots)
                self.workers = options.workers_for(committer.total, size)
                if not options.dry_run:
                    if options.space_check:
                        check_space(self.output, size, existing)
                    state.load_rows(read_previous(self.output))
                self._loop(roots, committer)
                self._follow_up(state)
            except FatalError as exc:
                self.summary.fatal = str(exc)
            except KeyboardInterrupt:
                self.summary.interrupted = True
            finally:
                self._finish(state, committer)
        self.summary.seconds = time.monotonic() - start
        if self.summary.fatal:
            _LOG.error("%s", self.summary.fatal)
        return self.summary


def convert(
    sources: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    options: ConvertOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: CancelFlag | None = None,
) -> Summary:
    """Convert Elscint files under ``sources`` into standard DICOM under ``output``.

    Parameters
    ----------
    sources : sequence of path-like
        Folders (walked recursively), files and ``.zip`` archives.
    output : path-like
        The output folder (created if needed); never inside a source.
    options : ConvertOptions, optional
        Settings; the defaults mirror the input tree using every core.
    on_progress : callable, optional
        Called in this process with a :class:`Progress` after each input.
    cancel : object with ``is_set()``, optional
        E.g. a :class:`threading.Event`; checked between files.  When set,
        the files in progress are finished, the report is written and the
        run returns with ``interrupted`` set.

    Returns
    -------
    Summary
        Counts, report paths, previews; ``exit_code`` gives the CLI's code.
        Ctrl-C (KeyboardInterrupt) is caught: the run stops cleanly and the
        summary says ``interrupted``.  Problems with the output (read-only,
        full) set ``fatal``.

    Raises
    ------
    ValueError
        A source is missing, sources overlap, or OUTPUT is inside a SOURCE.
    """
    options = options or ConvertOptions()
    source_paths = [Path(source) for source in sources]
    output_path = Path(output)
    check_paths(source_paths, output_path)
    check_deidentify(options.deidentify, source_paths, output_path)
    return _Run(source_paths, output_path, options, on_progress, cancel).execute()
