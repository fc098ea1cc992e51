"""An ordered, bounded parallel map over worker processes.

Results come back in submission order, so every run settles duplicates and
name collisions the same way whatever the timing, and at most ``window``
tasks are in flight, so memory stays bounded.  With one job everything runs
in the calling process.  If a worker process dies (a crash or the kernel's
out-of-memory killer), the tasks that were in flight are re-run one at a
time in a fresh process so that only the file that kills a worker fails.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["OrderedPool"]

T = TypeVar("T")
R = TypeVar("R")


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is handled by the main process alone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context(preload: str) -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    # fork copies the parent's threads and GUI state; forkserver/spawn do not.
    if "forkserver" in methods and sys.platform != "darwin":
        context = multiprocessing.get_context("forkserver")
        # Import the worker's modules once in the server: each worker is then a
        # cheap fork instead of a fresh interpreter importing numpy and pydicom.
        context.set_forkserver_preload([preload])
        return context
    return multiprocessing.get_context("spawn")


@dataclass
class _Entry(Generic[T, R]):
    task: T
    future: Future[R] | None = None
    result: R | None = None
    done: bool = False


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
        Maximum tasks in flight (default: 3 per worker).
    """

    def __init__(
        self,
        function: Callable[[T], R],
        workers: int,
        crashed: Callable[[T], R],
        window: int | None = None,
    ) -> None:
        self.function = function
        self.workers = max(1, workers)
        self.crashed = crashed
        self.window = 1 if self.workers == 1 else window or 3 * self.workers
        self.pending: deque[_Entry[T, R]] = deque()
        self.executor: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(self.function.__module__),
                initializer=_ignore_interrupts,
            )
        return self.executor

    def put(self, task: T) -> Iterator[tuple[T, R]]:
        """Submit ``task``; yield the results that must be taken to stay within the window."""
        entry: _Entry[T, R] = _Entry(task)
        if self.workers > 1:
            entry.future = self._executor().submit(self.function, task)
        self.pending.append(entry)
        while len(self.pending) >= self.window:
            yield self._take()

    def drain(self) -> Iterator[tuple[T, R]]:
        """Yield the results of every task still in flight, in order."""
        while self.pending:
            yield self._take()

    def abandon(self) -> Iterator[tuple[T, R]]:
        """Cancel tasks not started yet; yield the results of those already running."""
        kept: deque[_Entry[T, R]] = deque()
        for entry in self.pending:
            if entry.done or (entry.future is not None and not entry.future.cancel()):
                kept.append(entry)
        self.pending = kept
        yield from self.drain()

    def _take(self) -> tuple[T, R]:
        entry = self.pending[0]
        if not entry.done:
            if entry.future is None:
                entry.result = self.function(entry.task)
            else:
                try:
                    entry.result = entry.future.result()
                except BrokenProcessPool:
                    self._recover()
            entry.done = True
        self.pending.popleft()
        assert entry.result is not None
        return entry.task, entry.result

    def _recover(self) -> None:
        """A worker died: rerun every unfinished task alone, then carry on with a new pool."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
        single: ProcessPoolExecutor | None = None
        try:
            for entry in self.pending:
                future = entry.future
                if entry.done or future is None:
                    continue
                if future.done() and not future.cancelled() and future.exception() is None:
                    entry.result, entry.done = future.result(), True
                    continue
                if single is None:
                    single = ProcessPoolExecutor(
                        1,
                        mp_context=_context(self.function.__module__),
                        initializer=_ignore_interrupts,
                    )
                try:
                    entry.result = single.submit(self.function, entry.task).result()
                except BrokenProcessPool:
                    entry.result = self.crashed(entry.task)
                    single.shutdown(wait=False)
                    single = None
                entry.done = True
        finally:
            if single is not None:
                single.shutdown(wait=True)

    def close(self) -> None:
        """Stop the worker processes."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
