"""An ordered, bounded parallel map over worker processes.

Results come back in submission order, so every run settles duplicates and
name collisions the same way whatever the timing, and at most ``window``
tasks are in flight, so memory stays bounded.  With one job everything runs
in the calling process.  If a worker process dies (a crash or the kernel's
out-of-memory killer), the tasks that were in flight are re-run one at a
time in a fresh process so that only the file that kills a worker fails.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported when a pool of processes starts
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["OrderedPool"]

T = TypeVar("T")
R = TypeVar("R")


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is handled by the main process alone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context(preload: str) -> multiprocessing.context.BaseContext:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        # A process with one thread (the command line) forks safely, and a forked
        # worker is ready at once: no fresh interpreter importing numpy first.
        return multiprocessing.get_context("fork")
    # With other threads running (the desktop window, a progress bar), fork could
    # copy a lock another thread holds; forkserver/spawn start clean processes.
    if "forkserver" in methods and sys.platform != "darwin":
        context = multiprocessing.get_context("forkserver")
        # Import the worker's modules once in the server: each worker is then a
        # cheap fork instead of a fresh interpreter importing numpy and pydicom.
        context.set_forkserver_preload([preload])
        return context
    return multiprocessing.get_context("spawn")


def _run_all(function: Callable[[T], R], tasks: list[T]) -> list[R]:
    """Worker side of a chunk: ``function`` over ``tasks``, in order."""
    return [function(task) for task in tasks]


class _Entry(Generic[T, R]):
    """One chunk of tasks: waiting for its worker (``future``) or done (``results``)."""

    __slots__ = ("future", "results", "tasks")

    def __init__(self, tasks: list[T]) -> None:
        self.tasks = tasks
        self.future: Future[list[R]] | None = None
        self.results: list[R] | None = None


class OrderedPool(Generic[T, R]):
    """Run ``function`` over tasks in ``workers`` processes; yield (task, result) in order.

    Parameters
    ----------
    function : callable
        A module-level function (picklable) that never raises for bad input.
    workers : int
        Number of processes; 1 runs tasks inline when their result is asked for.
    crashed : callable
        Returns the result to report for a task whose process died twice.
    window : int, optional
        Maximum chunks in flight (default: 3 per worker).
    chunk : int, optional
        Tasks sent to a worker at once (default 1).  Small files convert in a
        fraction of a millisecond, about what handing one task to a process
        costs; chunks spread that cost.  A chunk whose worker dies is re-run
        one task at a time, so only the task that kills a worker fails.
    """

    def __init__(
        self,
        function: Callable[[T], R],
        workers: int,
        crashed: Callable[[T], R],
        window: int | None = None,
        chunk: int = 1,
    ) -> None:
        self.function = function
        self.workers = max(1, workers)
        self.crashed = crashed
        self.window = 1 if self.workers == 1 else window or 3 * self.workers
        self.chunk = 1 if self.workers == 1 else max(1, chunk)
        self.batch: list[T] = []
        self.pending: deque[_Entry[T, R]] = deque()
        self.ready: deque[tuple[T, R]] = deque()
        self.executor: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        from concurrent.futures import ProcessPoolExecutor

        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(self.function.__module__),
                initializer=_ignore_interrupts,
            )
        return self.executor

    def _submit(self) -> None:
        tasks, self.batch = self.batch, []
        if not tasks:
            return
        entry: _Entry[T, R] = _Entry(tasks)
        if self.workers > 1:
            from concurrent.futures.process import BrokenProcessPool

            try:
                entry.future = self._executor().submit(_run_all, self.function, tasks)
            except BrokenProcessPool:  # a worker died since results were last taken
                self._recover()
                entry.future = self._executor().submit(_run_all, self.function, tasks)
        self.pending.append(entry)

    def put(self, task: T) -> Iterator[tuple[T, R]]:
        """Submit ``task``; yield the results that must be taken to stay within the window."""
        self.batch.append(task)
        if len(self.batch) >= self.chunk:
            self._submit()
        while len(self.pending) >= self.window:
            self._collect()
        while self.ready:
            yield self.ready.popleft()

    def drain(self) -> Iterator[tuple[T, R]]:
        """Yield the results of every task still in flight, in order."""
        self._submit()
        while self.pending or self.ready:
            if not self.ready:
                self._collect()
            yield self.ready.popleft()

    def abandon(self) -> Iterator[tuple[T, R]]:
        """Cancel tasks not started yet; yield the results of those already running."""
        self.batch = []
        kept: deque[_Entry[T, R]] = deque()
        for entry in self.pending:
            if entry.results is not None or (
                entry.future is not None and not entry.future.cancel()
            ):
                kept.append(entry)
        self.pending = kept
        yield from self.drain()

    def _collect(self) -> None:
        """Wait for the oldest chunk and queue its results."""
        entry = self.pending[0]
        if entry.results is None:
            if entry.future is None:
                entry.results = [self.function(task) for task in entry.tasks]
            else:
                from concurrent.futures.process import BrokenProcessPool

                try:
                    entry.results = entry.future.result()
                except BrokenProcessPool:
                    self._recover()
        self.pending.popleft()
        assert entry.results is not None
        self.ready.extend(zip(entry.tasks, entry.results, strict=True))

    def _recover(self) -> None:
        """A worker died: rerun every unfinished task alone, then carry on with a new pool."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
        single: ProcessPoolExecutor | None = None
        try:
            for entry in self.pending:
                future = entry.future
                if entry.results is not None or future is None:
                    continue
                if future.done() and not future.cancelled() and future.exception() is None:
                    entry.results = future.result()
                    continue
                results: list[R] = []
                for task in entry.tasks:
                    if single is None:
                        single = ProcessPoolExecutor(
                            1,
                            mp_context=_context(self.function.__module__),
                            initializer=_ignore_interrupts,
                        )
                    try:
                        results.append(single.submit(self.function, task).result())
                    except BrokenProcessPool:
                        results.append(self.crashed(task))
                        single.shutdown(wait=False)
                        single = None
                entry.results = results
        finally:
            if single is not None:
                single.shutdown(wait=True)

    def close(self) -> None:
        """Stop the worker processes."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
